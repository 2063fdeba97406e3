// The signing options of the commands that build deliveries (plan, send, redeliver, trigger):
//
//   --signing-secret-env NAME   the Standard Webhooks secret (whsec_ and base64) is in the
//                               environment variable NAME
//   --signing-secret-file PATH  ... in the file PATH (one trailing newline is trimmed)
//   --signing-id ID             the event's id: each webhook-id is ID_WEBHOOK_BATCH
//
// They become the event's options.signing (see the library's README). The secret itself is
// never taken from the command line (argv is visible to every user of the machine, and lands
// in shell histories), and no message, plan or log line this module or its callers print
// holds it: errors name the variable or the file, never the value, and `redact` blanks any
// secret read here (and anything shaped like a whsec_ secret) out of a line before it is shown.
"use strict";
const fs = require("fs");

const OPTIONS = ["--signing-secret-env", "--signing-secret-file", "--signing-id"];

/** The --help lines of the signing options (`id`: with --signing-id). */
function signingHelp({ id = true } = {}) {
  return `  --signing-secret-env NAME   sign every delivery (Standard Webhooks: webhook-id, webhook-timestamp and
                              webhook-signature headers after Label Studio's own; bodies unchanged) with
                              the secret (whsec_ and base64) in the environment variable NAME
  --signing-secret-file PATH  the same, with the secret in the file PATH (a trailing newline is trimmed).
                              The secret is never given on the command line, and never printed` +
    (id ? `
  --signing-id ID             the event's id (A-Z a-z 0-9 _ . : -): webhook-id becomes ID_WEBHOOK_BATCH
                              (default: msg_ and a hash of the action, target, batch and body)` : "");
}

/** A usage error about the signing options; its message never holds a secret. */
class SigningError extends Error {
  constructor(message) {
    super(message);
    this.name = "SigningError";
    this.code = "SIGNING_USAGE";
  }
}

/** Secrets read by this process, blanked out of every line `redact` is given. */
const known = new Set();

/** `text` with every secret read here, and anything shaped like a whsec_ secret, blanked out. */
function redact(text) {
  let s = String(text);
  for (const secret of known) {
    for (const form of [secret, secret.replace(/^whsec_/, "")]) {
      if (form.length >= 8) s = s.split(form).join("[secret]");
    }
  }
  return s.replace(/whsec_[A-Za-z0-9+/=_-]+/g, "whsec_[secret]");
}

/** Text from the command line that may be shown: a value that looks like a secret is not. */
function shown(value) {
  if (/whsec_/i.test(value) || value.length > 120) return "(the value given)";
  return /^[A-Za-z0-9_.\/~:@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * Takes the signing options out of `args`: { rest, spec } where `rest` holds the other words
 * in order and `spec` is { env, file, id } or null (no signing). `id: false`: the command does
 * not take --signing-id. Throws SigningError for a secret given on the command line, an option
 * given twice or without its value, both a variable and a file, or an id without a secret.
 */
function takeSigningArgs(cmd, args, { id: takesId = true } = {}) {
  const rest = [];
  const spec = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 2 ? a.slice(0, eq) : a;
    // --signing-secret VALUE, --secret=VALUE ...: a secret on the command line. Refused, and not echoed.
    if (/^--(signing-)?secret$/.test(name) || /^--signing-key$/.test(name) || /^--webhook-secret$/.test(name)) {
      throw new SigningError(`${cmd}: ${name} is not an option: a secret is never given on the command line ` +
        "(other users of the machine can read it); put it in an environment variable (--signing-secret-env NAME) " +
        "or a file (--signing-secret-file PATH)");
    }
    if (!OPTIONS.includes(name)) {
      rest.push(a);
      continue;
    }
    if (name === "--signing-id" && !takesId) {
      throw new SigningError(`${cmd}: --signing-id is not an option of ${cmd} (each webhook-id is made from what is sent)`);
    }
    let value = name === a ? args[++i] : a.slice(eq + 1);
    if (value === undefined || value === "") throw new SigningError(`${cmd}: ${name} needs a value`);
    const key = name.slice("--signing-".length).replace(/^secret-/, "");
    if (spec[key] !== undefined) throw new SigningError(`${cmd}: ${name} given twice`);
    spec[key] = value;
  }
  if (spec.env !== undefined && spec.file !== undefined) {
    throw new SigningError(`${cmd}: --signing-secret-env and --signing-secret-file go one at a time`);
  }
  if (spec.id !== undefined && spec.env === undefined && spec.file === undefined) {
    throw new SigningError(`${cmd}: --signing-id goes with --signing-secret-env NAME or --signing-secret-file PATH`);
  }
  return { rest, spec: spec.env !== undefined || spec.file !== undefined ? spec : null };
}

/** The option that gave the secret, for messages: "--signing-secret-env NAME" (never the secret). */
function source(spec) {
  return spec.env !== undefined ? `--signing-secret-env ${shown(spec.env)}` : `--signing-secret-file ${shown(spec.file)}`;
}

/**
 * The secret `spec` names, read from the environment or the file. Throws SigningError (naming
 * the variable or file, never a value) when it is not set, cannot be read, or is empty.
 */
function readSecret(cmd, spec, env = process.env) {
  let secret;
  if (spec.env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.env) || /^whsec_/i.test(spec.env)) {
      throw new SigningError(`${cmd}: --signing-secret-env takes the NAME of an environment variable that holds the ` +
        "secret (letters, digits and _), not the secret itself: e.g. export LSW_SIGNING_SECRET=...; --signing-secret-env LSW_SIGNING_SECRET");
    }
    secret = env[spec.env];
    if (secret === undefined) throw new SigningError(`${cmd}: ${source(spec)}: the environment variable is not set`);
  } else {
    try {
      secret = fs.readFileSync(spec.file, "utf8");
    } catch (e) {
      const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory"
        : e.code === "EACCES" ? "permission denied" : `cannot be read (${e.code || "error"})`;
      throw new SigningError(`${cmd}: ${source(spec)}: ${why}`);
    }
    secret = secret.replace(/\r?\n$/, ""); // as $(cat PATH) would
  }
  if (secret === "") throw new SigningError(`${cmd}: ${source(spec)}: the secret is empty`);
  known.add(secret);
  return secret;
}

/**
 * options.signing for `spec` (read with readSecret), checked by the library itself on an
 * event with no webhooks: a secret that is not whsec_ and base64, or an id it refuses, is a
 * SigningError naming the option. `idSuffix`: text the caller appends to the id of each event
 * (checked here, at its longest).
 */
function signingOptions(lib, cmd, spec, secret, { idSuffix = "" } = {}) {
  const signing = { secret, ...(spec.id !== undefined ? { id: spec.id } : {}) };
  const probe = { secret, ...(spec.id !== undefined ? { id: spec.id + idSuffix } : {}) };
  try {
    lib.buildDeliveries({ action: "PROJECT_DELETED", organization: 1, project: null, instance: { id: 1 }, webhooks: [],
      options: { signing: probe } });
  } catch (e) {
    const path = e && typeof e.path === "string" ? e.path : "";
    if (path === "options.signing.secret") {
      throw new SigningError(`${cmd}: ${source(spec)}: the secret is not a Standard Webhooks secret (whsec_ followed by its key in base64)`);
    }
    if (path === "options.signing.id") {
      throw new SigningError(`${cmd}: --signing-id ${shown(spec.id)}: ${redact(e.detail || e.message)}` +
        (idSuffix ? ` (with the ${idSuffix.length} characters ${cmd} appends to it)` : ""));
    }
    throw e;
  }
  return signing;
}

module.exports = { takeSigningArgs, readSecret, signingOptions, signingHelp, redact, SigningError, OPTIONS };

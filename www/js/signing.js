// The signing secret field's helpers. The editor's text, the URL hash and every
// kind of storage never see the secret: it lives in the password field and goes
// to buildDeliveries as its options argument (app.js), nowhere else.

/** Whether an error thrown by buildDeliveries is about options.signing (the field's value). */
export const isSigningError = (e) => Boolean(e && typeof e.path === "string" && e.path.startsWith("options.signing"));

/** The three headers signing adds, after Label Studio's own. */
export const SIGNING_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"];

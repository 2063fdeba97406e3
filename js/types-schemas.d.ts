// schemas(): declared only where the module has it (the `schemas` feature, the Node
// package; src/wasm/mod.rs appends this file to js/types.d.ts there). The browser's build
// (www/pkg) leaves them out.

/** A JSON Schema (draft 2020-12). Objects in it carry an `x-key-order` annotation (declare it in Ajv's strict mode). */
export type JsonSchema = { [keyword: string]: Json };
/**
 * The schema of each action's webhook bodies, by action name: `oneOf` the full payload
 * (`$defs/payload`) and the action alone (`$defs/action_only`, `send_payload` false).
 * In the Node package only: the web build (www/pkg) leaves it out (load docs/schemas/*.json there).
 */
export function schemas(): Record<ActionName, JsonSchema>;

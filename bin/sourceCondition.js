// A Node resolve hook (module.register) that adds the "seep-source" export condition to every
// resolution: in a clone, `seep-testbed/...` then resolves to the TypeScript sources (see the
// exports of package.json) rather than to dist/. Registered by bin/register.js in a clone only.

/** Resolve with the "seep-source" condition added to the context's conditions. */
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes("seep-source")
    ? context.conditions
    : [...context.conditions, "seep-source"];
  return nextResolve(specifier, { ...context, conditions });
}

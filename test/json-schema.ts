// A validator for the subset of JSON Schema (2020-12) that test-vectors/schema.json
// uses. A keyword outside that subset throws, so that the schema cannot grow a
// rule that is silently not checked: add the keyword here first.

type Schema = { readonly [keyword: string]: unknown };

/** Keywords that only describe or name a schema: nothing to check. */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$comment']);
const CHECKED = new Set([
  'type',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minLength',
  'pattern',
  'minimum',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every violation of `schema` by `value`, each as "<JSON pointer>: <what is wrong>"; empty when valid. */
export function validate(schema: Schema, value: unknown, pointer = ''): string[] {
  const at = pointer || '/';
  const errors: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !CHECKED.has(keyword)) throw new Error(`JSON Schema keyword "${keyword}" at ${at} is not supported by test/json-schema.ts`);
  }
  if ('type' in schema) {
    const types = ([] as unknown[]).concat(schema.type) as string[];
    if (!types.some((type) => hasType(value, type))) return [`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
  }
  if ('enum' in schema && !(schema.enum as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: less than ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    const prefix = (schema.prefixItems ?? []) as Schema[];
    value.forEach((item, index) => {
      const itemSchema = index < prefix.length ? prefix[index] : (schema.items as Schema | undefined);
      if (itemSchema) errors.push(...validate(itemSchema, item, `${pointer}/${index}`));
    });
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(object, name)) errors.push(`${at}: "${name}" is required`);
    }
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [name, member] of Object.entries(object)) {
      const path = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (Object.hasOwn(properties, name)) errors.push(...validate(properties[name]!, member, path));
      else if (schema.additionalProperties === false) errors.push(`${path}: not allowed (additionalProperties is false)`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(schema.additionalProperties as Schema, member, path));
    }
  }
  return errors;
}

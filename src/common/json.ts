export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A count read from JSON: a whole number, not negative, that a double holds exactly. */
export const isCount = (value: unknown): value is number => typeof value === 'number' && value >= 0 && Number.isSafeInteger(value);

/** Parses a JSON-encoded object embedded in a string (a body logged as text); anything else is undefined. */
export function parseEmbeddedObject(text: string): JsonObject | undefined {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start++;
  if (text.charCodeAt(start) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows a path of keys through objects and through JSON-encoded strings met on the way.
 * Only own properties count, so a key like `constructor` never reaches the prototype. A flat key
 * holding the whole dotted path (`"http.response.status_code": 401`) is accepted too.
 */
export function getPath(root: JsonObject, path: readonly string[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (typeof value === 'string') value = parseEmbeddedObject(value);
    if (!isObject(value) || !Object.hasOwn(value, key)) {
      value = undefined;
      break;
    }
    value = value[key];
  }
  if (value === undefined && path.length > 1) {
    const flatKey = path.join('.');
    if (Object.hasOwn(root, flatKey)) return root[flatKey];
  }
  return value;
}

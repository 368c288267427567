// JSON the product reads, checked against a zod schema: a file that is not JSON, or whose content does not
// fit, is refused with a message that names the file and the first field that does not fit.
import { existsSync, readFileSync } from "fs";
import { z, type ZodIssue } from "zod";
import { InvalidInputError } from "../errors";

/** A decimal integer kept as a string: how bigints (ids, wei) are stored in JSON. */
export const decimalString = z.string().regex(/^\d+$/, "expected a decimal integer");

/** A 0x-prefixed 20-byte hex address. */
export const addressString = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address");

/** What parseJson found: the value, or what is wrong with the text (`field` is the JSON path, "" for the whole value). */
export type JsonResult<T> = { ok: true; value: T } | { ok: false; syntax: true; cause: unknown } | { ok: false; syntax: false; field: string; problem: string };

/** `rounds[0].gasUsed` for the path ["rounds", 0, "gasUsed"]. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

/** The value at `path` inside `value`, shown briefly. */
function shown(value: unknown, path: readonly (string | number)[]): string {
  const at = path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[key] : undefined), value);
  if (at === undefined) return "nothing";
  const text = JSON.stringify(at);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A size bound in words: `at least 1 entries`, `a number more than 0`. */
function bounded(type: string, relation: string, bound: number | bigint): string {
  if (type === "array") return `${relation} ${bound} entries`;
  if (type === "string") return `${relation} ${bound} characters`;
  return `a number ${relation} ${bound}`;
}

/** What the schema wanted where `issue` arose. */
function expectation(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}`;
    case "invalid_literal":
      return `expected ${JSON.stringify(issue.expected)}`;
    case "invalid_enum_value":
      return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`;
    case "too_small":
      return `expected ${bounded(issue.type, issue.exact ? "exactly" : issue.inclusive ? "at least" : "more than", issue.minimum)}`;
    case "too_big":
      return `expected ${bounded(issue.type, issue.exact ? "exactly" : issue.inclusive ? "at most" : "less than", issue.maximum)}`;
    default:
      // Checks that carry their own message (a regex, say) state the expectation in it.
      return issue.message;
  }
}

// A refinement (`refine`, `z.custom`) carries the schema's own sentence, which is given as written.
/** A zod issue as one phrase naming the field: `field "rounds" expected array, got string`. */
export function issueText(issue: ZodIssue, value: unknown): string {
  if (issue.code === "custom") return issue.message;
  const where = issue.path.length ? `field "${pathText(issue.path)}" ` : "";
  if (issue.code === "invalid_type") {
    return issue.received === "undefined" ? `${where}is missing (${expectation(issue)})` : `${where}${expectation(issue)}, got ${issue.received}`;
  }
  return `${where}${expectation(issue)}, got ${shown(value, issue.path)}`;
}

/** Parses JSON `text` and checks it against `schema`. */
export function parseJson<S extends z.ZodTypeAny>(text: string, schema: S): JsonResult<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { ok: false, syntax: true, cause };
  }
  const checked = schema.safeParse(value);
  if (checked.success) return { ok: true, value: checked.data };
  const issue = checked.error.issues[0];
  return { ok: false, syntax: false, field: pathText(issue.path), problem: issueText(issue, value) };
}

// A file that cannot be read, is not JSON or does not fit is an InvalidInputError on `field` (the option
// that named the file); its message names the file and, when the content does not fit, the JSON field.
/** Reads JSON file `file` through `schema`. */
export function readJsonFile<S extends z.ZodTypeAny>(file: string, schema: S, field = "file"): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new InvalidInputError(field, `cannot read ${file}: ${(cause as Error).message}`, { cause, details: { file } });
  }
  const result = parseJson(text, schema);
  if (result.ok) return result.value;
  if (result.syntax) throw new InvalidInputError(field, `${file} is not valid JSON`, { cause: result.cause, details: { file } });
  throw new InvalidInputError(field, `${file}: ${result.problem}`, { details: { file, path: result.field } });
}

/** As readJsonFile, or undefined when `file` does not exist. */
export function readJsonFileIfExists<S extends z.ZodTypeAny>(file: string, schema: S, field = "file"): z.output<S> | undefined {
  return existsSync(file) ? readJsonFile(file, schema, field) : undefined;
}

// The layering of docs/ARCHITECTURE.md: each folder of src/ imports only from the layers it is allowed to,
// so shared code has one home and nothing reaches sideways. Read from the import statements themselves.
import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "fs";
import path from "path";

const SRC = path.join(__dirname, "..", "src");

/** The layers each src/ folder may import from (docs/ARCHITECTURE.md "Layers"). */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  aggregation: ["errors"],
  protocol: ["errors", "aggregation"],
  attacks: ["errors", "aggregation", "protocol"],
  infra: ["errors"],
  ml: ["errors", "infra"],
  chain: ["errors", "protocol", "infra"],
  worker: ["errors", "protocol", "aggregation", "attacks", "ml", "infra", "chain"],
  owner: ["errors", "protocol", "ml", "infra", "chain"],
  cli: ["errors", "protocol", "aggregation", "attacks", "ml", "infra", "chain", "worker", "owner"],
  devnet: ["errors", "protocol", "aggregation", "attacks", "ml", "infra", "chain", "worker", "owner"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith(".ts") ? [file] : [];
  });
}

/** Every relative module a file imports (static imports and re-exports, dynamic import(), require()). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)"(\.{1,2}\/[^"]*)"/g)].map((m) => m[1]);
  return specs.map((spec) => path.resolve(path.dirname(file), spec));
}

const layerOf = (file: string): string | undefined => {
  const rel = path.relative(SRC, file);
  return rel.startsWith("..") ? undefined : rel.split(path.sep)[0];
};

describe("architecture", () => {
  const files = sourceFiles(SRC);

  it("every folder of src/ has a place in the layering", () => {
    const folders = readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory());
    expect(folders.filter((f) => !(f in ALLOWED))).to.deep.equal([]);
  });

  it("each layer imports only from the layers it may use", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file)!;
      for (const target of relativeImports(file)) {
        const to = layerOf(target);
        if (to === undefined || to === from) continue; // outside src/ (typechain-types, package.json) or the same layer
        if (!ALLOWED[from]?.includes(to)) violations.push(`${path.relative(SRC, file)} imports ${path.relative(SRC, target)} (${from} → ${to})`);
      }
    }
    expect(violations).to.deep.equal([]);
  });
});

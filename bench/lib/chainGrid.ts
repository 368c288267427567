// Recording a gas-grid cell measured by another chain benchmark (chain-time, scale) into the full grid
// result bench/results/gas-grid.json, replacing a not-run or failed entry under the same key.
import { readJson, resultPath, writeJson } from "./chainReport";

/** A stored grid cell: its key (d<d>-n<n>) and whatever the cell reported. */
export type GridCell = { key: string; status: string; [field: string]: unknown };

/** Puts `cell` into the full gas grid (never over a finished cell measured by the grid itself). */
export function recordGridCell(cell: GridCell): void {
  const file = resultPath("gas-grid", false);
  const grid = readJson<{ cells: GridCell[] } & Record<string, unknown>>(file);
  if (!grid) return;
  const at = grid.cells.findIndex((c) => c.key === cell.key);
  if (at >= 0 && grid.cells[at].status === "done" && !grid.cells[at].executedBy) return;
  if (at >= 0) grid.cells[at] = cell;
  else grid.cells.push(cell);
  writeJson(file, grid);
}

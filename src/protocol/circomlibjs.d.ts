// Minimal typings for the part of circomlibjs used here (the package ships none).
declare module "circomlibjs" {
  /** A field element in circomlibjs' internal (Montgomery) representation. */
  type FieldElement = Uint8Array;

  interface Field {
    e(value: bigint | number | string): FieldElement;
    toObject(element: FieldElement): bigint;
    isZero(element: FieldElement): boolean;
    eq(a: FieldElement, b: FieldElement): boolean;
    one: FieldElement;
  }

  interface BabyJub {
    F: Field;
    p: bigint;
    order: bigint;
    subOrder: bigint;
    Base8: [FieldElement, FieldElement];
    Generator: [FieldElement, FieldElement];
    addPoint(a: [FieldElement, FieldElement], b: [FieldElement, FieldElement]): [FieldElement, FieldElement];
    mulPointEscalar(base: [FieldElement, FieldElement], e: bigint): [FieldElement, FieldElement];
    inCurve(point: [FieldElement, FieldElement]): boolean;
    inSubgroup(point: [FieldElement, FieldElement]): boolean;
  }

  export function buildBabyjub(): Promise<BabyJub>;
}

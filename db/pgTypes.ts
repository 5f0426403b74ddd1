import { types } from 'pg';

let installed = false;

export const pg = {
  /**
   * Calendar dates stay `YYYY-MM-DD` strings (a card's validFrom is a day, not an instant);
   * bigint counts come back as numbers (ours stay far below 2^53).
   */
  ensureTypeParsers(): void {
    if (installed) return;
    installed = true;
    types.setTypeParser(types.builtins.DATE, (value) => value);
    types.setTypeParser(types.builtins.INT8, (value) => Number(value));
  },
};

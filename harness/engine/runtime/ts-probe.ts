/** Imported once to find out whether TypeScript can be loaded natively (tsx registered). */
export const probe = true;

/* Filled in by the door that owns it. */
export {};

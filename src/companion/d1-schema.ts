// A table's schema made once per isolate and database, on first use (no migration step for `npm run dev` or a
// deploy); a failure is tried again by the next call.
export function schemaOnce(statements: readonly string[]): (db: D1Database) => Promise<unknown> {
  const ready = new WeakMap<D1Database, Promise<unknown>>();
  return (db) => {
    let p = ready.get(db);
    if (!p) {
      p = db.batch(statements.map((s) => db.prepare(s))).catch((e) => {
        ready.delete(db);
        throw e;
      });
      ready.set(db, p);
    }
    return p;
  };
}

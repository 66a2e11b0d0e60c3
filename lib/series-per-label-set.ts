// prom-client hashes a metric's label values on every inc() or observe(): fine for a scrape, not for every
// request and every job. A series per label set, made once, skips that.

/** `make(...values)` once per distinct list of label values, then the same series every time. */
export function seriesBy<T>(make: (...values: string[]) => T): (...values: string[]) => T {
  const made = new Map<string, T>();
  return (...values) => {
    const key = values.join('\u0000');
    let series = made.get(key);
    if (series === undefined) {
      series = make(...values);
      made.set(key, series);
    }
    return series;
  };
}

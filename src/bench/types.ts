/**
 * A benchmark section: measures, prints its figures, returns markdown for docs/benchmarks.md.
 * Figures that compare (ratios) matter; absolute times are noisy on shared machines.
 */

/** Result of one bench section. */
export interface BenchSection {
  /** Heading in docs/benchmarks.md. */
  readonly title: string;
  /** Markdown body: a table of figures and the ratios that matter. */
  readonly markdown: string;
}

/** A bench module: runs its measurement when called. */
export type Bench = (options: { readonly quick: boolean }) => Promise<BenchSection>;

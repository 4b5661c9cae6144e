import { validateXML } from 'xmllint-wasm';

/**
 * Validation of XML documents against a vendor's published XML Schema (XSD 1.0), by libxml2's own validator:
 * `xmllint --schema`, compiled to WebAssembly and shipped inside the `xmllint-wasm` npm package (no native build, no
 * download at install). Each validation runs xmllint once, in a worker thread of its own (about 75 ms here), so it is
 * meant for sandboxes and tests, not for a hot path.
 *
 * Validate only documents that the safe codec (./safe-xml) has already accepted: it is the one that refuses DTDs.
 */

/** One schema file, by the name other schema files import or include it by (`schemaLocation`). */
export interface XsdFile {
  readonly fileName: string;
  readonly contents: string;
}

export interface XsdValidator {
  /** What is wrong with the document against the schema, one line per problem; empty when the schema accepts it. */
  problemsOf(document: string): Promise<readonly string[]>;
  /** The same for several documents in one run of the validator (much cheaper than one run each): in their order. */
  problemsOfEach(documents: readonly string[]): Promise<readonly (readonly string[])[]>;
}

export interface XsdValidatorOptions {
  /** The schema documents are validated against. */
  readonly schema: XsdFile;
  /** Files the schema imports or includes, by the `schemaLocation` it names them with. */
  readonly imports?: readonly XsdFile[];
}

/** The documents' file names inside xmllint's in-memory file system: they say which document a problem is about. */
const fileNameOf = (index: number): string => `document-${index}.xml`;

export function createXsdValidator(options: XsdValidatorOptions): XsdValidator {
  const preload = [...(options.imports ?? [])];
  const problemsOfEach = async (documents: readonly string[]): Promise<string[][]> => {
    if (documents.length === 0) return [];
    const xml = documents.map((contents, index) => ({ fileName: fileNameOf(index), contents }));
    let result;
    try {
      result = await validateXML({ xml, schema: options.schema, preload });
    } catch (error) {
      // A schema xmllint cannot compile is ours to fix: it must not pass for an answer about the documents.
      const code = (error as { code?: unknown }).code;
      throw new Error(`the XML Schema ${options.schema.fileName} could not be used (xmllint exit ${String(code)}): ${firstLine((error as Error).message)}`);
    }
    const problems = documents.map((): string[] => []);
    // Lines without a location are xmllint echoing a document under a parser error, with a caret: not a problem.
    for (const error of result.errors) {
      const index = error.loc ? xml.findIndex((file) => file.fileName === error.loc?.fileName) : -1;
      if (index >= 0) problems[index]!.push(`line ${error.loc!.lineNumber}: ${error.message}`);
    }
    if (!result.valid && problems.every((list) => list.length === 0)) {
      throw new Error(`xmllint refused a document against ${options.schema.fileName} without saying which: ${firstLine(result.rawOutput)}`);
    }
    return problems;
  };
  return {
    problemsOfEach,
    async problemsOf(document) {
      const [problems] = await problemsOfEach([document]);
      return problems ?? [];
    },
  };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Documents validated in as few runs of xmllint as they come: see {@link queuedValidation}. */
export interface ValidationQueue {
  /** One document's problems, validated in the next run with every document that waits for it. */
  problemsOf(document: string): Promise<readonly string[]>;
  /** Resolves once every document asked for so far has its answer. */
  settled(): Promise<void>;
}

/**
 * One run of xmllint at a time, each with every document that came while the one before ran: a run costs about the
 * same for one document as for a hundred (its worker and the schema's compilation dominate), so a sandbox answering
 * many requests at once pays a few runs, not one per document.
 */
export function queuedValidation(validator: XsdValidator): ValidationQueue {
  let waiting: { document: string; resolve: (problems: readonly string[]) => void; reject: (error: unknown) => void }[] = [];
  let running: Promise<void> | null = null;
  const run = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        const problems = await validator.problemsOfEach(batch.map((entry) => entry.document));
        batch.forEach((entry, index) => entry.resolve(problems[index] ?? []));
      } catch (error) {
        batch.forEach((entry) => entry.reject(error));
      }
    }
    running = null;
  };
  return {
    problemsOf: (document) =>
      new Promise((resolve, reject) => {
        waiting.push({ document, resolve, reject });
        // Started on the next turn, so that documents asked for together go in one run.
        running ??= new Promise<void>((started) => setImmediate(started)).then(run);
      }),
    settled: async () => {
      while (running) await running;
    },
  };
}

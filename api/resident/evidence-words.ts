/**
 * A visit's measured evidence in plain words: the shared catalogue's formatter
 * (protocol/words.ts), which the console uses too.
 */
export { visitEvidenceInWords as evidenceInWords } from '../../protocol/words.ts';

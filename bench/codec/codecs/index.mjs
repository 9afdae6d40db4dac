// Loads one codec adapter by name: es | pbjs | tsproto.
export const CODECS = ['es', 'pbjs', 'tsproto'];

export async function loadCodec(name) {
  if (!CODECS.includes(name)) throw new Error(`unknown codec '${name}'; known: ${CODECS.join(', ')}`);
  return import(`./${name}.mjs`);
}

// `paylab/msw`: the TypeScript entry for plain JavaScript, loaded with tsx's scoped loader so that
// importing it registers nothing globally. Named entry.js so that it shadows no TypeScript file.
import { tsImport } from 'tsx/esm/api'

const mod = await tsImport('./create-paylab-msw.ts', import.meta.url)
export const { createPaylabMsw, PaylabControl } = mod

// `paylab/msw`: the TypeScript entry, loaded with tsx's scoped loader so that importing it
// registers nothing globally in the test process.
import { tsImport } from 'tsx/esm/api'

const mod = await tsImport('./create-paylab-msw.ts', import.meta.url)
export const { createPaylabMsw, PaylabControl } = mod

// `paylab/sdk`: the reference merchant SDK for plain JavaScript, loaded with tsx's scoped loader. Named
// entry.js, not index.js, so that it never shadows index.ts for TypeScript importers.
import { tsImport } from 'tsx/esm/api'

const mod = await tsImport('./index.ts', import.meta.url)
export const {
  PaylabClient, PaylabError, PaylabApiError, PaylabNetworkError, PaylabTimeoutError, PaylabSignatureError,
  PaylabMalformedAnswerError, isAmbiguous, verifyNotification, encryptCard, buildNotification, buildSignedRequest,
  answerStringToSign, requestStringToSign
} = mod

// `paylab/sdk`: the reference merchant SDK's TypeScript entry, loaded with tsx's scoped loader.
import { tsImport } from 'tsx/esm/api'

const mod = await tsImport('./index.ts', import.meta.url)
export const {
  PaylabClient, PaylabError, PaylabApiError, PaylabNetworkError, PaylabTimeoutError, PaylabSignatureError,
  PaylabMalformedAnswerError, isAmbiguous, verifyNotification, encryptCard, buildNotification, buildSignedRequest,
  answerStringToSign, requestStringToSign
} = mod

// TEST ONLY — a published RSA key pair, the same in every copy of paylab. Anyone can sign with it
// and decrypt what is encrypted for it. An in-memory gateway (`--memory`, paylab/msw) starts with it
// instead of generating a key, which costs a few hundred ms of every start; it keeps nothing and
// serves only test cards. A gateway with a data dir generates its own key on its first start.
// Rotation (POST /admin/keys/rotate) always generates a new one.
export const SANDBOX_TEST_ONLY_KEY = {
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoBN+RO5hxst+scu01oFA
4Aq8X53742Vv79RLnxmdFKjEef7OViSnXhuXQtsvWTpNXxnbbd9Zw8P6e7FEtXzX
n4rRMNPXzfxhx5U+SN3eQ+Ro4r94tZe6EmopGrXnnk3y7LGWfvhS7OKddrPAYjmr
Y/9a2twVligFTvxpNWaqwANZrhjgafRfbI7i8SpQhufY007VBmDP0WHofGVg3Cum
M90cHDAW57a28JcH+XKzSGYt2Fu8qbBbVWF/0gEYz5XV7TLSDIA8e5I12Fb2kVtJ
juOVmMSEuRWpUBVdISQMlfwtoiszF8qHoND/IbW3i5jL4xCOsFNdLg6rfs0KdMzL
/wIDAQAB
-----END PUBLIC KEY-----
`,
  privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCgE35E7mHGy36x
y7TWgUDgCrxfnfvjZW/v1EufGZ0UqMR5/s5WJKdeG5dC2y9ZOk1fGdtt31nDw/p7
sUS1fNefitEw09fN/GHHlT5I3d5D5Gjiv3i1l7oSaikateeeTfLssZZ++FLs4p12
s8BiOatj/1ra3BWWKAVO/Gk1ZqrAA1muGOBp9F9sjuLxKlCG59jTTtUGYM/RYeh8
ZWDcK6Yz3RwcMBbntrbwlwf5crNIZi3YW7ypsFtVYX/SARjPldXtMtIMgDx7kjXY
VvaRW0mO45WYxIS5FalQFV0hJAyV/C2iKzMXyoeg0P8htbeLmMvjEI6wU10uDqt+
zQp0zMv/AgMBAAECggEALUsGtdtbeCPZH9abPvyIjjwLa+SoQoHPp+UCVqypKRDN
sxUZbf9mCfc1l/mrzov0G34V++MwI3e+1qPkZJPD8QUWxsGSNNr+EbpVSsnYW45z
7QCvV3ZsdExsf/3LYRv+KeHfyuJZmGRQmKcovsJBkARPQVD3nKqLQfuiizUXCEgX
eih5GrZxxb48DwUom/F/RV+u+G0pzeVAsKJbQkCd5KsO8rp6fIGRm6krzBWQE9tj
lW7EjZ820s3ST1MVDQwR6cGFIOAW820f7amUnBDHzkuBevCReI4fVyQpWdUS42SJ
sU1w5q+GBLKjIN6diNywnGwTAIH0LYe5mdFtynTlFQKBgQDbQKHOwgIqJiIlQvkN
3vj2sHmQG8xCjrhQF5b6hasiqHmk+MnWs8nIl2oBcp0zR60OsU49gWWGyDSwhFqL
KBazH462naic1GZGyLRU0peIbLTYX8zLtEJhmd2rJClhateTawMChoKmIY+N3ndy
awfNAujrGRNFPdElV0oHIosW6wKBgQC6588dtKAtQGfQrhX8bvwHrntkNit2S1oo
cM1vUt2yuG3jB73JqAHbwZiMm56yhI7beyZ0/4c6xCcnp90Cpy8whzpG2G4ASJVB
znlJsUV8PmAxb9tvzqbXkSu54ozBCynxo+SobI14jzLdyWE7xHl6gE729doxhuSR
OcTbMM+CPQKBgQDXEu+nAmldL0sPgkMNeEyAsVyOILaeE6J57qoL1lOqC9pIGkTk
eDjYrK8v/F54jzcT0poNe4E8VehZv3uSRiD+VVaJjN55+WDazscW7f33tasxFciv
ioQTefwYhcCR71zJH5A0Sf6fOQy4/iHt+1ALq28QL+jXY2xmVNopZZlLQQKBgCAk
GOPc2eauOqwSI8nDNCgGA0YaYqL3Fkv6Cfno4CMJwCvYevSgpaEqy5byc/ny/bYU
mWppPtIGRU12enUoVt8bghQIx/HYiYJFhWn8yBwzhcs6lxvFB7/uQPy4TsgrqUza
iEnGURW4WmD1bnkesl00j1+8q4b00X1/17Bx1l1pAoGAOBT6mY8qUk8mLMqhbu/e
ZojUfWVvxjDK0wD2qOppHp0xkgNz2wMQIWPfoYjSi1RELv/tkJ7iO138uV8BEwUF
gLuc3jWH3jV97+QOZY6e59nXR4o7X8ZRrNft3Xwo4KFyjN6SybbkYH+gggvRIFWM
dZ48UmYGPKhiDoA79zp5UxU=
-----END PRIVATE KEY-----
`
} as const

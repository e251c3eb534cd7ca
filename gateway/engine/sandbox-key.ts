import type { CryptoProvider } from './crypto.js'

// TEST ONLY — published RSA key pairs, the same in every copy of paylab. Anyone can sign with them
// and decrypt what is encrypted for them. An in-memory gateway (`--memory`, paylab/msw) starts with
// them instead of generating keys (the gateway's own, and the demo merchant's WeChat Pay and Alipay
// keys and their platform keys), which would cost a few hundred ms each of every start; it keeps
// nothing and serves only test cards. A gateway with a data dir generates its own keys on its first
// start. Every key made after the start (a rotation, a new merchant's) is generated anew.
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

/** More of them, for the keys the channel profiles make at start (sandboxKeyPool). */
const MORE_SANDBOX_TEST_ONLY_KEYS: ReadonlyArray<{ publicKeyPem: string, privateKeyPem: string }> = [
  {
    publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3vhD43+E7ohpW92/p0QE
WS2s4AYH3T4TXN/aiIU5muaS+ZC6vfG9WaVOHWpyHeTOX3T11C8jCOCzA8K4ATas
awcRsHmvo20xHEQCg8KinWyV0CQzAxvK0AYjqySSuyP68yX62eZjhS4OPkU1JJkz
8qa3KmE4EeUWeSINGr4Mpxveq4iBZx6A4EFbubhpzJXvY6ByoVia4soCjafSTbp7
tkxmHEa2AiEVuVZ2BdtYev4ADkc9dlJnLWNaOtiYuLHl4vT2la4CZzcNvSDq1wDy
IJF73fCzHQfvtylgVXttTvhtcIDbt3zNNpVumJNsfldhBXEkDE3XHLewPO8C5vdy
kQIDAQAB
-----END PUBLIC KEY-----
`,
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEuwIBADANBgkqhkiG9w0BAQEFAASCBKUwggShAgEAAoIBAQDe+EPjf4TuiGlb
3b+nRARZLazgBgfdPhNc39qIhTma5pL5kLq98b1ZpU4danId5M5fdPXULyMI4LMD
wrgBNqxrBxGwea+jbTEcRAKDwqKdbJXQJDMDG8rQBiOrJJK7I/rzJfrZ5mOFLg4+
RTUkmTPyprcqYTgR5RZ5Ig0avgynG96riIFnHoDgQVu5uGnMle9joHKhWJriygKN
p9JNunu2TGYcRrYCIRW5VnYF21h6/gAORz12UmctY1o62Ji4seXi9PaVrgJnNw29
IOrXAPIgkXvd8LMdB++3KWBVe21O+G1wgNu3fM02lW6Yk2x+V2EFcSQMTdcct7A8
7wLm93KRAgMBAAECgf8V0/SGHg/eLfVFosC12De2JsxnKpvaspGmSL18bysd1XWk
REcjgSrnVtzr9AagaLU0sa1s8+sIq/eRs07MV7/29kfm3e/6avsOoKoX792Vrt0A
3pgNB58UvYiMKMYUC5YTYnymUejwGzwWWz1i5YnRw3YqJ2PBR1HDO0nOoeRV27d7
q76zfYp2AyNRic0k4IhuNHqrHPODb5k7lKOiVBtf2AV2ygjEm3kVisg37TLvxtXQ
TAAserVMhGBz2bXNZVsfe6yFQLlSqWbFqiHaqzy0J9YVfvQ+F/sF6HCz7A2Xd75i
jUXAC5Enjix6JuZAY56OYV+GPeILfrDUYouar1sCgYEA+4k1SNBkIhudzys0bzVF
h79PrWoRtVB+aT2KHfIbgOIZL1WjD5hMwH7NApDvajgfhYbCL2rnLiOzyWb8Pey6
AVn0G8MpBs/kbJTHPcJ+L0IDoz8FdXfjpl36joo4/4gK9c4aYYPjsxxhtZ1BWGd5
umxSDRWKo1RfIzyuOjTDIrMCgYEA4u1GC5I5J1trxm6iffJqKqDKu4IxfAONvSb2
0etH+0i4Z3k7Kcz1hTgX/tyPA48CsuoqWkn0DjmnvdtlYIwX266JGr0HG0Fbuy6l
IM2sLG+LSQvjQD+Mfk3VwWz1Uouc4nryWuXccVAtKIQc86n6n+WqlONLfCZc5BTQ
kmtSJ6sCgYEA6I9+bXkG66Ye7PkkPKHDTHPsRghooPvwNHtKZM+A8FObN3F1FqkY
ZW2XPIUmZk3Hjxv+E/tCDR3DTzXhh5uEilVR5g01tG+n4WBZKlfVdPoTBO7yrB4R
o7MGQp23f0KX55YMPBbGAsb96/2d+g+Js3wNDL3a9ZG/eIPVDknUFRMCgYBxfGYG
TWdF1oOMpjGfOQd9MBKTOaYTthdBXGYdT0QdWB3YqZk762Nx7z6Y16ayCeg4n8D0
jH2AS7cmzLzjTsxzsdKhS51tNP9yGf686/7J7jLDIi3RKLbTR4u6Awqg8G9SGFhx
uvjGtmkPFRsBhKVxJ8NqWE2c1faonfw87W0VpwKBgAJ2JSCRD4HVx7KeFB3+9Wj2
nJykoWCsFz8qMZaVsuHyfZqxK6ca8hfhycbjZCgklmcGGXcqSPZopCfUz9NWQiIl
nbtA0rvn8fvnryxFPtrKPzqko9Ck751sswG/uC9KLfGEdjbM+FtNG78eT5iKwHYB
rdtCQ5eeUZRnAHCX+Lyc
-----END PRIVATE KEY-----
`
  },
  {
    publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArQGGgKF648xuOyFF2gHq
MX8ef0tZWYiD+Hb34NPSYLc/qfYd0H6zPdguKSkcbRd3Xfnh2rbj/MW6Du16ZN8C
B/LyLcj+2AGnFUnnECvwP1vSZI2hyQ/HjN2TYXSFpqB+rW7Rr9f13BV4tqZmzc4Y
J5+SghrwHhCYdqfZJECGAbNL2IQRq6gqnXuf/B28LdYXAemtMNZftohbCjqRJ6zT
JQizcSTyKu4iANHihL4FCnEI8z90worFknHOgJd5zFlsudAuh0LWQD20PqLvaUUw
rBLsXFHAuCh0ypvVHPxfALfEeayPaezO+uVaFSSM23TxmU05PFZdcfev3R4u6s8i
CwIDAQAB
-----END PUBLIC KEY-----
`,
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCtAYaAoXrjzG47
IUXaAeoxfx5/S1lZiIP4dvfg09Jgtz+p9h3QfrM92C4pKRxtF3dd+eHatuP8xboO
7Xpk3wIH8vItyP7YAacVSecQK/A/W9JkjaHJD8eM3ZNhdIWmoH6tbtGv1/XcFXi2
pmbNzhgnn5KCGvAeEJh2p9kkQIYBs0vYhBGrqCqde5/8Hbwt1hcB6a0w1l+2iFsK
OpEnrNMlCLNxJPIq7iIA0eKEvgUKcQjzP3TCisWScc6Al3nMWWy50C6HQtZAPbQ+
ou9pRTCsEuxcUcC4KHTKm9Uc/F8At8R5rI9p7M765VoVJIzbdPGZTTk8Vl1x96/d
Hi7qzyILAgMBAAECggEADEj0BBwFpxUdLHEnRKYVBFx5VxCwYv18YYzsjSXrLwVB
5KIMRRQn3Q6qgZ0pud6MJITHsqTKC7IjRCL0Tf6H+K0aBV0lBLGrooUTx+R7at/I
B7dQGAAP/cMHT5H/xwL5+9bHQ+MI0lf9Hvsx9jRsS9G2sQZvho5wRSFKrpqdMpPh
g+7wvg+sosY8sxu67VEDm1QqY4YIXVLQlttNIACSZeu52WyBHvIBkIlwCF+kLNsR
pOvIbvsT03DgzN/Un6Xw2hAIOQhzg5tYAoYkZad+VgnFy8VAal5WpeZFQeXMwQDb
BmDwWmY1QrfBWEpMGDzSWbGBuGi4eJfgThyISuXKAQKBgQDt+Er2StCPVNFZYlZ0
sGRHJeQoT2XmSNvkWVz4QxvzqSAKkjmPftWvQS5O5YJSdmQpmDPtLyqlmAj0yrhB
TtpwqKnRylirLPVz8xydAiugNJ5r7ufMsaNSI/nybR0gLx/Z+LrV7C1GjqHiKVU9
M/YO+5itRiSCCAzpAclk0PgvZQKBgQC6HS4pgACC4ce6JED5id1EHZsVLj3G8vfl
DwRbSekiRTDYXhEns1eKP0kDziajTi6nBrEE2JbKrzYyWk0IPGl0ximBdRT7o1BJ
t4IrR0NXRDYdKuuLz4QS05BsS+6IoRCXHpaytNZPWbFj7S5g3dONYqX2St6yWe3v
A72tx1YMrwKBgBuGCEWMSasKSFxqP02nyTFhdI4lAMgtzSEQJOyh9m2sNgSC/R1X
sidfBpghe31GLDeTXw4j0m7ssrx9ZepH0IQPPfUBzleeD5WlnL2cLqeM7nXVYAIQ
2a76ckJT1HaQfMKdPh7X/jSW8qpR1YYKqH77IqGH51kSzUt15XE/qjTxAoGAAMxJ
O2JSHj2Llq+7G5bMvRMHbDLTjvvRtki3MxEBD+WODQ9yMWJieLRGwt5qaf7W0l6D
+cpX8yyHJfYfKG7h4N9MpEJ1QZL0sCw6Qac/kas4NC3P7ryIC3CeyOgWcL2IDa3S
5ZdC5/oxeYU10rKAyrVmksTFaaxbCdBRSuJ06v8CgYEAi4vxA7UKM6++H06bwIxG
XGFUGNkn0esJ+ERRihhj2GwFcImr7cyf3yiRy5PPtvS9Y2VvzPxyQgdKdAM9F8Rh
Kn62Ynv6R90Cey/XgvTY82kw/TnnFXqpTuC6x5ikCBXhSCuuU0yUiQTwbQnnN29h
WJWXb1kLewBSSukUDm3/mmc=
-----END PRIVATE KEY-----
`
  },
  {
    publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1HJV2r2XDE3ZSXIegnMO
bN1uIjFlqFmqyhLFU+XxoFPRhm4jEd7ZJWGeVZhI9wmYAXgNq+HBoRHn4mbpjNgd
pLYGCLXCpEI2qev6nEzA0pDnoEyNSN17Zfav1Rv10rCAr55YQ4bNBFlkYgJpQnst
hvMOzbkJ2hEalbRRqGsmud7NxgQZceii9u9PHevuXVx6ycELVMqsarZ1xcPQGKSE
6pusp+JhvmSIpkK3c+0wvutsRRwSlz6dnyuol+M3EckiGhVwql+cTa9lyDWe2t7g
IA+h9LqON8ZoLKEdmrpWpbimADf0f6fWhlr9pIcHRFneyDPnhh9e6YssSAGikc+a
MwIDAQAB
-----END PUBLIC KEY-----
`,
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDUclXavZcMTdlJ
ch6Ccw5s3W4iMWWoWarKEsVT5fGgU9GGbiMR3tklYZ5VmEj3CZgBeA2r4cGhEefi
ZumM2B2ktgYItcKkQjap6/qcTMDSkOegTI1I3Xtl9q/VG/XSsICvnlhDhs0EWWRi
AmlCey2G8w7NuQnaERqVtFGoaya53s3GBBlx6KL2708d6+5dXHrJwQtUyqxqtnXF
w9AYpITqm6yn4mG+ZIimQrdz7TC+62xFHBKXPp2fK6iX4zcRySIaFXCqX5xNr2XI
NZ7a3uAgD6H0uo43xmgsoR2aulaluKYAN/R/p9aGWv2khwdEWd7IM+eGH17piyxI
AaKRz5ozAgMBAAECggEADNsTCpwWGQwC80NWc6K+bjm4vD/3UgiEYcW2BDLc0Xdm
V/daju5zKc8Y85QLYkubKQeYnYdD84PFCk8boJwZWx9wCQnlX+bpLj+AmFcQBLij
vkWzolj+FSL9lpdNDmADlt0C+VRzG+lu6NFoM4+G/Jdrv2jhnue8ZJpspeo/Wy2d
/bXS06STSZx3r1YDFG9X2lxfykuLEuJI+V2gG0lqN6KhIwxw1o579sP+M/1dWfhk
EaA1Aw+yWVcc+Mo8tbONKx0ef+p+rd8AxyED/6eQEu6/8AeoKkCCl4OmYNtlGpQj
nsOoEFpF9+JkHmvIa+rm0dSQHvpIaGyvJpZYOyCrzQKBgQDwSSdp8D28s2+fg7cM
ZF1d7gi2m0VSBaHBCV7HmrcItU8LcZk7/wfQcMFCspAx6qz01cNB/m49RXJg0xoU
uL+MYX3dIomfSAMDSKocP8+YmsDHC++DE5xa5q31VYGkFYWHQpX0BaSyNwfAwCTq
85Y0fM+MRNTy5vQJzqVoRxL7NwKBgQDiVxnH8783VAHo9UwgazQiRHYlMXUVeCz5
yQ/Tv5M1twDye0O+QtUgyaHiaF/0GknCsKT0fd8vmd5mFPHrfm2YFonwGFLg3Wnw
5pqTHq/NzHR8dqC/8d4QPbQ0g2CoR6DVdawlw+QdbMqKE07EIBfeMIkUHea4DIv+
pCs781cu5QKBgDLzwDjVqbG+9veDTaiCC85kMFLQgBWRfihZ3VBEPXXKRJWvpAe1
36lSj5ieFrePBNfyEDKJSkUR2dwwR4KHXo7dCXx/22D8Oy9SFEhjO5knj6Nlo4dO
/EPGULMKS7BIpAT3mKajH7ZutuUnmWx89Kfyo2wiGGndkXgW6ro/AAZnAoGBANYo
x/ITxefaCvybrO43wVpzIL7MbxZjYVrvTZRzfhyjDbhhvZV2syaU4iHR1IipnwUi
EtJrjxQBKRe51bWXKKdxHA8bVMADgEw6RiPSM1IslEN4E13KwuznFW1iqcBQFfQj
pUEOevcEixfecPbNzwejMPDh4f5fkM7eEzJkayepAoGAaE86EDmWyPvwk9EWU+nB
cVlkbT6nK8pK2IihNaNHlLx5TFfqFLwL6gw2VJCSYJNj43ZU2Yf6Bn5v+4xjMVcu
Vg5i70ZACVq5DNJ+sdBXPCkAJvLnaRdUSozJ7fod1HtjOYsQRen1z39fDkOX3PNq
Dwk00sew3FRd3AbcPbIPvFg=
-----END PRIVATE KEY-----
`
  },
  {
    publicKeyPem: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtqgJbWYSIaxZGEF32PXm
F07EGCtr2+NxP+BbL58lGbhZxxP3N0Ih68bwMrDDDKAIRyNsNZaRhlu5JMLaSk8O
GXgLut6hd0qqi7iK9eUrm0TJje1vQ4YnOIrRneif2xk3u/wVVjXKIcrHUCmESwyQ
6JJ2d8m0g6F2ZgXtwy5K6NpbZZJr3jjBPI687+B5nBdPtbaVY4/WG94w5CVOSXp0
04yJ0r2Jj5HcGEMrVMDgIDVum+y8vTkW5mPWErG3ylQ8J2HPK1y+AtSUxmjUD624
p8JAyP2aFjXtt9DQRZktjPM01F3oHyA1+DVpyVPxMkkawTpxDCHnh6+0pmBTDeyt
XwIDAQAB
-----END PUBLIC KEY-----
`,
    privateKeyPem: `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC2qAltZhIhrFkY
QXfY9eYXTsQYK2vb43E/4FsvnyUZuFnHE/c3QiHrxvAysMMMoAhHI2w1lpGGW7kk
wtpKTw4ZeAu63qF3SqqLuIr15SubRMmN7W9Dhic4itGd6J/bGTe7/BVWNcohysdQ
KYRLDJDoknZ3ybSDoXZmBe3DLkro2ltlkmveOME8jrzv4HmcF0+1tpVjj9Yb3jDk
JU5JenTTjInSvYmPkdwYQytUwOAgNW6b7Ly9ORbmY9YSsbfKVDwnYc8rXL4C1JTG
aNQPrbinwkDI/ZoWNe230NBFmS2M8zTUXegfIDX4NWnJU/EySRrBOnEMIeeHr7Sm
YFMN7K1fAgMBAAECggEAKLjP2T7/XdiByIGYCZvQ33NlDopnso9DiV0olzZg3BoY
keSmogAxddJVbMexxJfNIKcKEexup0i9vy9d4WE8oHr+Cnxl/SV9XkcXW/jqvuQY
F3dO7fvztIxmbVEWio9VuKhbzWuSk/QUeY+3+c9kYyV8GfqzLwGJVveNaY1hkAX1
/JTLWpO5nPP6ZteUVZXggBUZqEtVUr6f9eblXVchg0QZwGfEK2++hO/bLpIuyOkg
ariEfjzwKzrahl12h+q+meIpaR/MuRDtfFaEhyKw7KRpmX/M84mOjdGdkTsV5YHt
VNid+aiSyS41Z7DDvaWMCcWyxQLvyRGCvDXVWAzT6QKBgQDjl99mFtCa2PaX/U4F
rtG/mIpgH4zia5FWR4CC1xHWzd2BXvXTwHXu//OjINxrJ7Opk1xUN0J84MxZ9XNN
QFg+XxAnfKfXMeITnZPBEOx6MebZDwcrhpxLmSlgoAmj+LQattbi9cuaaSs0AIZp
f+FHmXMGbLspeHBN/HsNQvNDbQKBgQDNdFQKyI/U8Hh+vv2OT4arbhMI7jYMy4Lk
3rfV3ieHdzWYJqkyK3tGxfSGkNXNly3WjqLjpeELK3jK0J/eu18QU4cfxEV4b5tB
8FynhvEuNmhOITUG1JbPkBCXNkFtJkmZlb1/CHOPPuqOjDrIo+Sh/FlSgFL7dAYF
5lnLnuNoewKBgD5sLkq64TZHYcMoJ5kpbMAHH5Tjsml7pV4ruFSqlmr7BdDw8a3F
cNM/glxwq+P7/Kv7DezPRz4nDgVya9B5YHqi6jRaXVKJjP9iTd87PBD71Nwd4hKP
FhkqBg5JdrtxgDx/f4q6bcCJLd9ScYtIFsrjjIfrlJ34OZ06LanifgQ1AoGAIgk4
dwTc1xDzVUP8q1u/Wp0EqEEWUS5Rw+qll9eSwt1b0pXtB7OuW34l0TkjQkjePiIp
F/999aTBARBou7Rcvk6oHvob7CTJGrZgExzGzboTs4XKzBPh3AboyLQjSJrELJ5i
4y2aP0vT/cN7ZYvJL5Cnl4RMuv1wlf+gNpxe3gsCgYBYpuxKel+Dtg6Cg+Dlzpbz
QKQysTGKjBgiwYvuJepEHMlftcMIHZGOExdk36z1BBPnr4oMQf8z9byOd++QTlYB
x9mTP0l3VbxQzM83H3Hr2DBnZ+F8DDV1ZFCA8SxYDeveYmWdWbIOKmuxbww96O0U
AUeHq8eQ8pg4OVlrjjU3Jg==
-----END PRIVATE KEY-----
`
  }
]

/** Every published TEST ONLY key pair, distinct from each other (a test's pool of fixture keys). */
export const SANDBOX_TEST_ONLY_KEYS: ReadonlyArray<{ publicKeyPem: string, privateKeyPem: string }> = [SANDBOX_TEST_ONLY_KEY, ...MORE_SANDBOX_TEST_ONLY_KEYS]

/**
 * A crypto provider that hands out the published keys, in order, while a gateway starts, and
 * generates keys as `crypto` does once they are used up or `close()` is called.
 */
export function sandboxKeyPool (crypto: CryptoProvider): { crypto: CryptoProvider, close: () => void } {
  const pool = [...SANDBOX_TEST_ONLY_KEYS]
  return {
    crypto: { ...crypto, generateRsaKeyPair: () => pool.shift() ?? crypto.generateRsaKeyPair() },
    close: () => { pool.length = 0 }
  }
}

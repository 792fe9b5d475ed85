/**
 * A throwaway certificate authority and a server certificate it signs, so SDK clients can verify the
 * simulator's TLS the normal way (trusting the CA via NODE_EXTRA_CA_CERTS or `tlsOptions.ca`), never by
 * turning verification off. node-forge builds the X.509; the keys and the RSA signatures come from
 * node's native crypto, since forge's JavaScript RSA takes ~100 ms a signature and the simulated
 * ingress signs a certificate for every host name it is asked for.
 */
import { constants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
}

/** Names every simulated Azure service is addressed by, plus loopback. */
export const DEFAULT_SERVER_NAMES = [
  'localhost',
  '*.localhost',
  '127.0.0.1',
  '::1',
  'management.azure.com',
  '*.vault.azure.net',
  '*.azurecr.io',
  '*.azurecontainerapps.io',
  '*.monitor.azure.com',
  '*.metrics.monitor.azure.com',
];

function newKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The DER prefix of a PKCS#1 DigestInfo for SHA-256 (RFC 8017, 9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs `cert` with `privateKeyPem` as RSASSA-PKCS1-v1_5 over SHA-256: forge hashes the TBS
 * certificate and hands the digest to this signer, which pads and signs it natively.
 */
function signNatively(cert: forge.pki.Certificate, privateKeyPem: string): void {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key: privateKeyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest])).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function serialNumber(): string {
  // Positive (leading bit clear) 16-byte serial.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, years: number): void {
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 60 * 60 * 1000);
}

export function createCertificateAuthority(commonName = 'Harbormaster local simulator CA'): CertificateAuthority {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  validity(cert, 5);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Harbormaster dev' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNatively(cert, keys.privateKeyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

const IP_PATTERN = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$/i;

/**
 * One key pair for every server certificate a CA issues in this process: RSA key generation
 * takes ~150 ms, and these certificates exist only to let clients verify the simulators.
 */
const serverKeysByCa = new Map<string, { privateKeyPem: string; publicKeyPem: string }>();

function serverKeysOf(ca: CertificateAuthority): { privateKeyPem: string; publicKeyPem: string } {
  let keys = serverKeysByCa.get(ca.certPem);
  if (!keys) serverKeysByCa.set(ca.certPem, (keys = newKeyPair()));
  return keys;
}

export function issueServerCertificate(ca: CertificateAuthority, names: readonly string[]): ServerCertificate {
  const keys = serverKeysOf(ca);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  validity(cert, 2);
  cert.setSubject([{ name: 'commonName', value: names.find((n) => !IP_PATTERN.test(n)) ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(names)].map((name) => (IP_PATTERN.test(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  signNatively(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

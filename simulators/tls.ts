/**
 * A throwaway certificate authority and a server certificate it signs, so SDK clients can verify the
 * simulator's TLS the normal way (trusting the CA via NODE_EXTRA_CA_CERTS or `tlsOptions.ca`), never by
 * turning verification off. Keys come from node's native RSA generator (fast); node-forge builds the X.509.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
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
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

const IP_PATTERN = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$/i;

export function issueServerCertificate(ca: CertificateAuthority, names: readonly string[]): ServerCertificate {
  const keys = newKeyPair();
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
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

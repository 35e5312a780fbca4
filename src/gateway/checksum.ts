// The gateway and the client layer compute checksums the same way; the code lives in src/common.
export * from '../common/checksum';

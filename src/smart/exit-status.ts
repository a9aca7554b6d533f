// smartctl's exit status is a bitmask (smartctl(8), "RETURN VALUES"). Bits 0-1 mean smartctl could
// not read the device at all; every other bit still comes with valid JSON and is a finding about
// the drive or a partial failure, never by itself a reason to throw the output away.

const EXIT_BITS = [
  { bit: 0, key: "commandLine", text: "the command line did not parse (or the device type was not detected)" },
  { bit: 1, key: "openFailed", text: "the device could not be opened (or is in a low-power mode)" },
  { bit: 2, key: "commandFailed", text: "a SMART or other command to the disk failed, or its data had a checksum error" },
  { bit: 3, key: "diskFailing", text: "SMART status check returned DISK FAILING" },
  { bit: 4, key: "prefailBelowThreshold", text: "some prefail attributes are at or below their threshold" },
  { bit: 5, key: "pastBelowThreshold", text: "some attributes were at or below their threshold in the past" },
  { bit: 6, key: "errorLog", text: "the device error log has records of errors" },
  { bit: 7, key: "selfTestErrors", text: "the self-test log has records of errors" },
] as const;

export type ExitBitKey = (typeof EXIT_BITS)[number]["key"];

export interface ExitStatus {
  code: number;
  /** Bits 0-1: smartctl produced no device data worth reading. */
  unreadable: boolean;
  flags: Record<ExitBitKey, boolean>;
  /** The set bits, in words, for the operator. */
  texts: string[];
}

export function decodeExitStatus(code: number): ExitStatus {
  const c = Number.isInteger(code) && code >= 0 && code <= 255 ? code : 0;
  const flags = {} as Record<ExitBitKey, boolean>;
  const texts: string[] = [];
  for (const b of EXIT_BITS) {
    flags[b.key] = (c & (1 << b.bit)) !== 0;
    if (flags[b.key]) texts.push(b.text);
  }
  return { code: c, unreadable: (c & 0b11) !== 0, flags, texts };
}

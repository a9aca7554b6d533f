// The raw shape of `smartctl --json` output (smartmontools 6.7–7.4), only the parts Kiln reads.
// Every field is optional: drives, bridges and smartctl versions leave out what they lack.
// The domain model (model.ts) is built from this by parse.ts and never exposes these types.

export interface RawValueString {
  value?: number;
  string?: string;
}

export interface RawMessage {
  string?: string;
  severity?: "information" | "warning" | "error" | string;
}

export interface RawAtaAttribute {
  id?: number;
  name?: string;
  value?: number;
  worst?: number;
  thresh?: number;
  when_failed?: string;
  flags?: { value?: number; string?: string; prefailure?: boolean };
  raw?: RawValueString;
}

export interface RawAtaSelfTestEntry {
  type?: RawValueString;
  status?: RawValueString & { passed?: boolean; remaining_percent?: number };
  lifetime_hours?: number;
}

export interface RawNvmeSelfTestEntry {
  self_test_code?: RawValueString;
  self_test_result?: RawValueString;
  power_on_hours?: number;
}

export interface RawScsiSelfTestEntry {
  code?: RawValueString;
  result?: RawValueString;
  power_on_time?: { hours?: number };
}

export interface RawScsiErrorCounters {
  total_errors_corrected?: number;
  total_uncorrected_errors?: number;
  gigabytes_processed?: string;
}

export interface RawSmartctl {
  json_format_version?: number[];
  smartctl?: { version?: number[]; messages?: RawMessage[]; exit_status?: number; argv?: string[] };
  device?: { name?: string; info_name?: string; type?: string; protocol?: string };
  model_name?: string;
  model_family?: string;
  scsi_model_name?: string;
  scsi_vendor?: string;
  scsi_product?: string;
  vendor?: string;
  product?: string;
  serial_number?: string;
  firmware_version?: string;
  scsi_revision?: string;
  revision?: string;
  wwn?: { naa?: number; oui?: number; id?: number };
  user_capacity?: { blocks?: number; bytes?: number };
  nvme_total_capacity?: number;
  rotation_rate?: number;
  smart_support?: { available?: boolean; enabled?: boolean };
  smart_status?: { passed?: boolean; nvme?: { value?: number } };
  temperature?: { current?: number; drive_trip?: number };
  power_on_time?: { hours?: number };
  ata_smart_data?: {
    self_test?: {
      status?: RawValueString & { passed?: boolean; remaining_percent?: number };
      polling_minutes?: { short?: number; extended?: number; conveyance?: number };
    };
    capabilities?: { self_tests_supported?: boolean };
  };
  ata_smart_attributes?: { table?: RawAtaAttribute[] };
  ata_smart_self_test_log?: { standard?: { table?: RawAtaSelfTestEntry[]; count?: number } };
  nvme_smart_health_information_log?: {
    critical_warning?: number;
    temperature?: number;
    available_spare?: number;
    available_spare_threshold?: number;
    percentage_used?: number;
    media_errors?: number;
    num_err_log_entries?: number;
  };
  nvme_self_test_log?: {
    current_self_test_operation?: RawValueString;
    current_self_test_completion_percent?: number;
    table?: RawNvmeSelfTestEntry[];
  };
  scsi_grown_defect_list?: number;
  scsi_error_counter_log?: { read?: RawScsiErrorCounters; write?: RawScsiErrorCounters; verify?: RawScsiErrorCounters };
  scsi_extended_self_test_seconds?: number;
  self_test_in_progress?: unknown;
  [key: `scsi_self_test_${number}`]: RawScsiSelfTestEntry | undefined;
}

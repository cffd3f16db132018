/** Syslog forwarding of the audit log (RFC 5424 over TCP or TLS). Loaded lazily. */
export { parseSyslogUrl, syslogId, SYSLOG_URL_ENV, type SyslogConfig } from './config';
export { APP_NAME, SD_ID, escapeParamValue, formatMessage, frame, headerField } from './format';
export { SyslogDestination, type SyslogDestinationOptions } from './destination';

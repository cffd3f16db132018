/**
 * Shipping the local audit log to the team's destinations, as the CLI and the extension both
 * do after an action and at start: the store and syslog each with their own position file,
 * one after the other, never throwing (each result says what waits and why).
 */
import { StoreDestination } from '../store/destination';
import type { StoreConfig } from '../store/config';
import { SyslogDestination } from '../syslog/destination';
import type { SyslogConfig } from '../syslog/config';
import { backlogOf, ship, type Destination, type ShipResult } from './shipper';

export interface TeamAuditTargets {
  store?: { cfg: StoreConfig; password: string | undefined };
  syslog?: SyslogConfig;
}

export interface TeamAuditPaths {
  log: string;
  computer: string;
  positionFile(destination: 'store' | 'syslog'): string;
}

export interface DestinationStatus extends ShipResult {
  destination: 'store' | 'syslog';
  /** The destination without secrets: postgres://user@host:5432/db, tcp://host:514. */
  id: string;
  label: string;
}

function destinations(targets: TeamAuditTargets): Array<['store' | 'syslog', Destination]> {
  const out: Array<['store' | 'syslog', Destination]> = [];
  if (targets.store) out.push(['store', new StoreDestination(targets.store.cfg, targets.store.password)]);
  if (targets.syslog) out.push(['syslog', new SyslogDestination(targets.syslog)]);
  return out;
}

/** Ships the backlog to every configured destination. */
export async function shipTeamAudit(targets: TeamAuditTargets, paths: TeamAuditPaths): Promise<DestinationStatus[]> {
  const out: DestinationStatus[] = [];
  for (const [kind, dest] of destinations(targets)) {
    try {
      const r = await ship(dest, { log: paths.log, positionFile: paths.positionFile(kind), computer: paths.computer });
      out.push({ destination: kind, id: dest.id, label: dest.label, ...r });
    } finally {
      await dest.close().catch(() => undefined);
    }
  }
  return out;
}

/** The backlog of every configured destination, without shipping. */
export async function teamBacklog(targets: TeamAuditTargets, paths: TeamAuditPaths): Promise<DestinationStatus[]> {
  const out: DestinationStatus[] = [];
  for (const [kind, dest] of destinations(targets)) {
    const backlog = await backlogOf(paths.log, paths.positionFile(kind), dest.id).catch(() => -1);
    out.push({ destination: kind, id: dest.id, label: dest.label, shipped: 0, backlog });
  }
  return out;
}

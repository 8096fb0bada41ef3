/**
 * What every boat returns.
 *
 * @module
 */

/** Hosts a boat found: name → data, and groups it knows. */
export interface BoatHosts {
  hosts: Record<string, Record<string, unknown>>;
  groups: Record<string, string[]>;
}

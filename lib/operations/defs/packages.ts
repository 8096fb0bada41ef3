/**
 * The definitions of the package operations: `apt.*`, `dnf.packages`,
 * `apk.packages` and `packages.install`.
 *
 * @module
 */

import { defineOp, type OpDefinition, type OptionSpec, type ParamSpec } from "../define_op.ts";
import { APT_REPO, keys, packageChange, packagesOf, pathAt } from "../effects.ts";
import { BOOLEAN, NUMBER, opaque, STRING, STRING_OR_STRINGS } from "../op_schema.ts";
import * as apk from "../apk.ts";
import * as apt from "../apt.ts";
import * as dnf from "../dnf.ts";
import * as packages from "../packages.ts";

/** The options every package manager's `packages` takes (the deploy API's `PackagesOptions`). */
export const PACKAGES_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  present: { schema: BOOLEAN, doc: "Installed or removed.", default: true },
  latest: { schema: BOOLEAN, doc: "Upgrade to the newest available version.", default: false },
  update: {
    schema: BOOLEAN,
    doc: "Refresh the package index first (not itself reported as a change).",
    default: false,
  },
};
/** The packages, first: the run gets them as the `packages` option. */
const PACKAGES: ParamSpec = {
  name: "packages",
  schema: STRING_OR_STRINGS,
  doc: "Package names (`name` or, for apt, `name=version`).",
  into: "packages",
};
const CACHE_TIME: OptionSpec = {
  schema: NUMBER,
  doc: "Refresh only when the lists are older than this many seconds.",
};

/** The hosts each manager's `packages` is for, as its description says. */
const HOSTS = {
  dnf: "rpm (dnf)",
  apk: "Alpine (apk)",
  pacman: "Arch (pacman)",
  zypper: "openSUSE and SLES (zypper)",
};

/**
 * `packages` of one manager, like `apt.packages`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { managerPackages } from "./packages.ts";
 * const op = managerPackages("apk", () => Promise.reject(new Error("not run here")));
 * strictEqual(op.description, "like `apt.packages`, for Alpine (apk) hosts");
 * ```
 */
export function managerPackages(
  manager: keyof typeof HOSTS,
  run: OpDefinition["run"],
): OpDefinition {
  return defineOp({
    name: `${manager}.packages`,
    description: `like \`apt.packages\`, for ${HOSTS[manager]} hosts`,
    params: [PACKAGES],
    options: PACKAGES_OPTIONS,
    optionsType: "PackagesOptions",
    example: `ops.${manager}.packages(["nginx"])`,
    subject: "packages",
    mayChange: packagesOf(manager),
    run,
  });
}

/** The package operations. */
export const PACKAGE_OPS: readonly OpDefinition[] = [
  defineOp({
    name: "apt.packages",
    description: "installs only what `dpkg-query` says is missing, in one apt-get call",
    params: [PACKAGES],
    options: {
      ...PACKAGES_OPTIONS,
      cacheTime: CACHE_TIME,
      noRecommends: { schema: BOOLEAN, doc: "`--no-install-recommends`.", default: false },
    },
    optionsType: "AptPackagesOptions",
    example: 'ops.apt.packages(["nginx"], { update: true, cacheTime: 3600 })',
    subject: "packages",
    mayChange: packagesOf("apt"),
    run: apt.packages,
  }),
  defineOp({
    name: "apt.update",
    description: "`apt-get update`, skipped while the lists are younger than `cacheTime` s",
    params: [],
    options: { cacheTime: CACHE_TIME },
    example: "ops.apt.update({ cacheTime: 3600 })",
    mayChange: keys(() => ["aptlists"]),
    run: apt.update,
  }),
  defineOp({
    name: "apt.key",
    description:
      "a keyring file for `Signed-By` (a local file `src` or `content`, armored `.asc` or binary) at `dest`",
    params: [{ name: "dest", schema: STRING, doc: "The keyring path on the host.", into: "dest" }],
    options: {
      src: { schema: STRING, doc: "A local key file." },
      content: { schema: opaque("string | Uint8Array"), doc: "The key itself." },
    },
    example: 'ops.apt.key("/etc/apt/keyrings/example.asc", { src: "example.asc" })',
    subject: "dest",
    localPaths: [{ at: "src", access: "read" }],
    mayChange: pathAt("dest"),
    run: apt.key,
  }),
  defineOp({
    name: "apt.repo",
    description: "a deb822 `/etc/apt/sources.list.d/NAME.sources` entry, then `apt-get update`",
    params: [{
      name: "name",
      schema: STRING,
      doc: "File name under /etc/apt/sources.list.d, without `.sources`.",
      into: "name",
    }],
    options: {
      uris: { schema: STRING_OR_STRINGS, doc: "Repository URIs.", required: true },
      suites: { schema: STRING_OR_STRINGS, doc: "Suites such as `bookworm`.", required: true },
      components: { schema: STRING_OR_STRINGS, doc: "Components such as `main`." },
      signedBy: { schema: STRING, doc: "Path of the keyring that signs it (see `apt.key`)." },
      types: { schema: STRING_OR_STRINGS, doc: "`deb` and/or `deb-src`.", default: "deb" },
      architectures: { schema: STRING_OR_STRINGS, doc: "Architectures such as `amd64`." },
      present: { schema: BOOLEAN, doc: "Present or removed.", default: true },
      update: {
        schema: BOOLEAN,
        doc: "Run `apt-get update` when the entry changed.",
        default: true,
      },
    },
    optionsType: "AptRepoOptions",
    example:
      'ops.apt.repo("example", { uris: "https://deb.example.com", suites: "bookworm", components: "main" })',
    subject: "name",
    mayChange: APT_REPO,
    run: apt.repo,
  }),
  managerPackages("dnf", dnf.packages),
  managerPackages("apk", apk.packages),
  defineOp({
    name: "packages.install",
    description: "installs with apt, dnf or apk, chosen from os-release (or the tools present)",
    params: [PACKAGES],
    options: PACKAGES_OPTIONS,
    optionsType: "PackagesOptions",
    example: 'ops.packages.install(["curl"])',
    subject: "packages",
    mayChange: (state, call, cause) =>
      packageChange(state, "", cause, { removing: call.options.present === false }),
    run: packages.install,
  }),
];

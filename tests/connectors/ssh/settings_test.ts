import { deepStrictEqual, throws } from "node:assert/strict";
import { hostToConnectorData } from "../../../connectors/base.ts";
import {
  type HopSettings,
  resolveSettings,
  SSH_DATA_META,
  type SshEnvironment,
} from "../../../connectors/ssh/settings.ts";
import { SshConfig } from "../../../connectors/ssh/ssh_config.ts";
import { secret } from "../../../lib/core/command.ts";

const HOME = "/home/me";
const ENVIRONMENT: SshEnvironment = { home: HOME, localUser: "me", agentSocket: "/run/agent" };

/** Host data as the connector sees it: the given keys plus the DataMeta defaults. */
function data(explicit: Record<string, unknown>): Record<string, unknown> {
  return hostToConnectorData({ connectorName: "ssh", dataMeta: SSH_DATA_META }, {
    name: "h",
    data: explicit,
    groups: [],
  });
}

function config(text: string): Promise<SshConfig> {
  return SshConfig.parse(text, { sshDir: `${HOME}/.ssh`, home: HOME });
}

/** The settings with only built-in defaults, for host `host`. */
function defaults(host: string): HopSettings {
  return {
    host,
    port: 22,
    user: "me",
    keys: [`${HOME}/.ssh/id_ed25519`, `${HOME}/.ssh/id_rsa`, `${HOME}/.ssh/id_ecdsa`],
    identitiesOnly: false,
    password: undefined,
    keyPassword: undefined,
    agent: "/run/agent",
    forwardAgent: false,
    knownHosts: [`${HOME}/.ssh/known_hosts`, "/etc/ssh/ssh_known_hosts"],
    strict: "accept-new",
    connectTimeout: 10,
    keepalive: 15,
    proxyJump: undefined,
  };
}

const WEB1_CONFIG = `Host web1
  HostName 10.0.0.5
  Port 2200
  User cfguser
  IdentityFile ~/.ssh/web_%r
  UserKnownHostsFile ~/.ssh/kh_%h
  StrictHostKeyChecking no
  ConnectTimeout 3
  ServerAliveInterval 7
  ForwardAgent yes
  ProxyJump jumper@bastion:2022
Host bastion
  Port 2023
  IdentitiesOnly yes
`;

Deno.test("resolveSettings() takes built-in defaults when neither data nor config say more", async () => {
  const settings = resolveSettings("plain", {
    data: data({}),
    config: await config(""),
    environment: ENVIRONMENT,
  });
  deepStrictEqual(settings, { main: defaults("plain"), jumps: [] });
});

Deno.test("resolveSettings() lets ~/.ssh/config beat the defaults", async () => {
  const settings = resolveSettings("web1", {
    data: data({}),
    config: await config(WEB1_CONFIG),
    environment: ENVIRONMENT,
  });
  deepStrictEqual(settings, {
    main: {
      ...defaults("10.0.0.5"),
      port: 2200,
      user: "cfguser",
      keys: [`${HOME}/.ssh/web_cfguser`],
      forwardAgent: true,
      knownHosts: [`${HOME}/.ssh/kh_web1`, "/etc/ssh/ssh_known_hosts"],
      strict: "no",
      connectTimeout: 3,
      keepalive: 7,
      proxyJump: "jumper@bastion:2022",
    },
    jumps: [{
      ...defaults("bastion"),
      port: 2022,
      user: "jumper",
      keys: [],
      identitiesOnly: true,
    }],
  });
});

Deno.test("resolveSettings() lets explicit host data beat ~/.ssh/config", async () => {
  const settings = resolveSettings("web1", {
    data: data({
      ssh_port: 22,
      ssh_user: "deploy",
      ssh_key: "~/.ssh/deploy_%r",
      ssh_password: secret("pw"),
      ssh_key_password: secret("kp"),
      ssh_allow_agent: false,
      ssh_forward_agent: false,
      ssh_known_hosts_file: "/etc/skiff/known_hosts",
      ssh_strict_host_key_checking: "yes",
      ssh_connect_timeout: 1,
      ssh_keepalive_interval: 2,
      ssh_proxy_jump: "none",
    }),
    config: await config(WEB1_CONFIG),
    environment: ENVIRONMENT,
  });
  deepStrictEqual(settings, {
    main: {
      host: "10.0.0.5",
      port: 22,
      user: "deploy",
      keys: [`${HOME}/.ssh/deploy_deploy`, `${HOME}/.ssh/web_deploy`],
      identitiesOnly: false,
      password: "pw",
      keyPassword: "kp",
      agent: undefined,
      forwardAgent: false,
      knownHosts: ["/etc/skiff/known_hosts", "/etc/ssh/ssh_known_hosts"],
      strict: "yes",
      connectTimeout: 1,
      keepalive: 2,
      proxyJump: "jumper@bastion:2022",
    },
    jumps: [],
  });
});

Deno.test("resolveSettings() gives jump hosts the host's known_hosts, policy, timeout and key, never its password", async () => {
  const settings = resolveSettings("web9", {
    data: data({
      ssh_proxy_jump: "a, ops@b:2",
      ssh_known_hosts_file: "/k",
      ssh_strict_host_key_checking: "no",
      ssh_connect_timeout: 4,
      ssh_key: "/key",
      ssh_password: "pw",
      ssh_keepalive_interval: 9,
      ssh_look_for_keys: false,
    }),
    config: await config("Host a\n  User ua\n  IdentitiesOnly yes\n"),
    environment: ENVIRONMENT,
  });
  const inherited = {
    keys: ["/key"],
    knownHosts: ["/k", "/etc/ssh/ssh_known_hosts"],
    strict: "no" as const,
    connectTimeout: 4,
  };
  deepStrictEqual(settings.jumps, [
    { ...defaults("a"), ...inherited, user: "ua", identitiesOnly: true, agent: undefined },
    { ...defaults("b"), ...inherited, user: "ops", port: 2 },
  ]);
  deepStrictEqual(settings.main, {
    ...defaults("web9"),
    ...inherited,
    password: "pw",
    keepalive: 9,
  });
});

Deno.test("resolveSettings() rejects a bad jump host", async () => {
  const empty = await config("");
  throws(
    () =>
      resolveSettings("web1", {
        data: data({ ssh_proxy_jump: "bastion:99999" }),
        config: empty,
        environment: ENVIRONMENT,
      }),
    { name: "InputError", message: 'Bad ssh target "bastion:99999": expected [user@]host[:port]' },
  );
});

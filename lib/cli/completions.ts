/**
 * Shell completions generated from the CLI's own command tree.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** The part of a commander command that completions read. */
export interface CompletionNode {
  name(): string;
  description(): string;
  readonly commands: readonly CompletionNode[];
  readonly options: readonly { long?: string; short?: string; description: string }[];
}

/** The shells completions can be generated for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

function optionWords(node: CompletionNode): string[] {
  return node.options.flatMap((option) =>
    [option.long, option.short].filter((x): x is string => !!x)
  );
}

function bash(root: CompletionNode): string {
  const name = root.name();
  const cases = root.commands.map((command) =>
    `    ${command.name()}) words="${
      [...command.commands.map((c) => c.name()), ...optionWords(command)].join(" ")
    }" ;;`
  );
  return `# bash completion for ${name}
_${name}() {
  local cur words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${[...root.commands.map((c) => c.name()), ...optionWords(root)].join(" ")}"
  else
    case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    *) words="" ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -f -- "$cur"))
}
complete -F _${name} ${name}
`;
}

function zshEscape(text: string): string {
  return text.replaceAll("'", "'\\''").replaceAll(":", "\\:").replaceAll("[", "\\[").replaceAll(
    "]",
    "\\]",
  );
}

function zsh(root: CompletionNode): string {
  const name = root.name();
  const commands = root.commands.map((c) => `    '${c.name()}:${zshEscape(c.description())}'`);
  const cases = root.commands.map((command) => {
    const options = command.options.filter((o) => o.long).map((o) =>
      `'${o.long}[${zshEscape(o.description)}]'`
    );
    const sub = command.commands.map((c) => `'${c.name()}'`);
    return `    ${command.name()}) _arguments ${[...options, "'*:file:_files'"].join(" ")}${
      sub.length ? ` ; compadd ${sub.join(" ")}` : ""
    } ;;`;
  });
  return `#compdef ${name}
_${name}() {
  local -a commands
  commands=(
${commands.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases.join("\n")}
  esac
}
compdef _${name} ${name}
`;
}

function fishEscape(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
}

function fish(root: CompletionNode): string {
  const name = root.name();
  const lines = [`# fish completion for ${name}`, `complete -c ${name} -f`];
  for (const command of root.commands) {
    lines.push(
      `complete -c ${name} -n '__fish_use_subcommand' -a ${command.name()} -d '${
        fishEscape(command.description())
      }'`,
    );
    for (const option of command.options) {
      if (!option.long) continue;
      lines.push(
        `complete -c ${name} -n '__fish_seen_subcommand_from ${command.name()}' -l ${
          option.long.replace(/^--/, "")
        } -d '${fishEscape(option.description)}'`,
      );
    }
    for (const sub of command.commands) {
      lines.push(
        `complete -c ${name} -n '__fish_seen_subcommand_from ${command.name()}' -a ${sub.name()} -d '${
          fishEscape(sub.description())
        }'`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The completion script for `shell`, generated from `root`'s command tree.
 *
 * @example
 * ```ts ignore
 * completionScript(program, "fish");
 * ```
 */
export function completionScript(root: CompletionNode, shell: string): string {
  switch (shell) {
    case "bash":
      return bash(root);
    case "zsh":
      return zsh(root);
    case "fish":
      return fish(root);
    default:
      throw new InputError(
        `Unknown shell "${shell}": choose one of ${COMPLETION_SHELLS.join(", ")}`,
      );
  }
}

import { match, notStrictEqual, strictEqual } from "node:assert/strict";
import { tempName } from "../../connectors/_shared.ts";

Deno.test("tempName() stages beside the destination, hidden, with an unguessable part", () => {
  const name = tempName("/etc/nginx/sites-enabled/app.conf");
  match(name, /^\/etc\/nginx\/sites-enabled\/\.app\.conf\.skiff-\d{2,}$/);
  strictEqual(name.slice(0, name.lastIndexOf("/")), "/etc/nginx/sites-enabled");
  notStrictEqual(tempName("/etc/motd"), tempName("/etc/motd"));
  match(tempName("motd"), /^\.motd\.skiff-\d{2,}$/);
});

// A read client in a process of its own (issue 12, row 3m; decision 043). The pilot-load bench sends its deposit load
// from its own process, at c=48; reads sent from that process wait behind its event loop and share its priority,
// so part of their measured tail is the client's, not the hub's. A dashboard's readers are on other machines; this
// child stands in for them: it runs the open loop it is asked for over IPC and answers with what it measured. The
// bench starts it in a session of its own and gives it the reader hub's nice value, threads and autogroup alike.
import { type OpenLoop, openLoop } from "./lib/open-loop";

interface Command {
  id: number;
  cmd: string;
  url?: string;
  body?: string;
  token?: string;
  intervalMs?: number;
  durationMs?: number;
  /** Wait this long (ms) before the first request (the bench sends 0: its control reads come from its own process). */
  delayMs?: number;
}

process.on("message", (msg: Command) => {
  const reply = (body: object) => process.send?.({ id: msg.id, ...body });
  if (msg.cmd !== "open-loop") return reply({ error: `unknown command ${msg.cmd}` });
  const run = async (): Promise<OpenLoop> => {
    if (msg.delayMs) await new Promise((r) => setTimeout(r, msg.delayMs));
    return openLoop(msg.url!, msg.body!, msg.token!, msg.intervalMs!, msg.durationMs!);
  };
  run().then(
    (result) => reply({ result }),
    (e: unknown) => reply({ error: String(e) }),
  );
});

process.stdout.write(`${JSON.stringify({ ready: true, url: "", pid: process.pid })}\n`);

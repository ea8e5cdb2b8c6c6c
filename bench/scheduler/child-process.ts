import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Nest or a library may print to stdout; the result is the one line that starts with this.
const RESULT_PREFIX = '@@bench-result ';

/**
 * Runs a scenario script in a fresh node (same flags as this one: --expose-gc and the TS loader),
 * so that heap, RSS, JIT state and timers of one library never bleed into another's figures.
 */
export function runIsolated<Result>(script: URL, args: object): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(script), JSON.stringify(args)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${fileURLToPath(script)} ${JSON.stringify(args)} exited with ${code}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as Result);
    });
  });
}

/** True when `moduleUrl` is the script node was started with (not merely imported). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}

/** In a child: reads the arguments `runIsolated` passed. */
export function childArgs<Args>(): Args {
  return JSON.parse(process.argv[2] ?? '{}') as Args;
}

/** In a child: hands the result to the parent and exits, whatever handles a library left open. */
export function reportAndExit(result: object): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
}

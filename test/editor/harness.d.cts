// Types of harness.cjs (plain CommonJS so scripts/screenshots.mjs can load it too).
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningRack } from '../../src/sim/rack';

export const ROOT: string;
export const PACKAGE: string;
export const CHROMIUM: string;

export type FlowNode = { id: string; type: string; name?: string; [key: string]: unknown };

export interface SimRack extends RunningRack {
  ports: { ups: number; pdu: number; modbus: number };
}

export interface Response {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any shape, checked by the tests
  text: string;
}

export interface NodeRed {
  url: string;
  userDir: string;
  child: ChildProcess;
  log(): string;
  problems(): string[];
  request(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  deploy(flows: object[], headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export interface StartOptions {
  flows?: object[];
  credentials?: Record<string, object>;
  dashboard?: boolean;
  settings?: Record<string, unknown>;
  /** Install what `npm pack` publishes (unpacked) rather than the working tree. */
  packed?: boolean;
  /** Another Node-RED and its Node.js (test/e2e/harness.ts nodeRed5()); default: the devDependency on this Node.js. */
  runtime?: { node: string; redJs: string };
  /** Extra environment variables for the Node-RED process (RACKPOWER_PROFILES). */
  env?: Record<string, string>;
}

export interface Comms {
  debug: { id: string; name?: string; msg: string; format: string; topic?: string; property?: string }[];
  status: Record<string, { fill?: string; shape?: string; text?: string }>;
  close(): void;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors of the whole session, in order ("page error: …", "console error: …"). */
  errors: string[];
  close(): Promise<void>;
}

export function freeTcpPort(): Promise<number>;
export function until<T>(what: string, check: () => T | Promise<T>, timeoutMs?: number, everyMs?: number): Promise<NonNullable<T>>;
export function startSimRack(options?: { community?: string; speed?: number; upsServers?: boolean }): Promise<SimRack>;
export function retarget(flow: FlowNode[], rack: SimRack): FlowNode[];
export function readExample(name: string): FlowNode[];
export function dashboardDir(): string;
export function startNodeRed(options?: StartOptions): Promise<NodeRed>;
export function comms(red: NodeRed): Promise<Comms>;
export function launchChromium(options?: { viewport?: { width: number; height: number }; deviceScaleFactor?: number }): Promise<Browser>;
export function openEditor(page: Page, red: NodeRed): Promise<void>;
export function openEditorSession(red: NodeRed): Promise<Browser>;
export function takeBrowserErrors(browser: Browser): string[];
export function afterFailedStep(page: Page, prefix: string, testName: string): Promise<void>;
export function afterEditorStep(browser: Browser | undefined, prefix: string, task: { name: string; result?: { state?: string } }): Promise<void>;
export function dragFromPalette(page: Page, type: string, x: number, y: number): Promise<string>;
export function openNodeDialog(page: Page, id: string): Promise<void>;
export function deployFromEditor(page: Page): Promise<void>;
export function statusText(page: Page, id: string): Promise<string>;

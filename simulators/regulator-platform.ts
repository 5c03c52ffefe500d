/**
 * STAND-IN for a government safety-monitoring platform (the regulator's receiving end of
 * GB/T 24476 data), which cannot run here. A local HTTP receiver that validates everything
 * it is sent, so the push adapter (api/regulator/push.ts) is tested end to end against
 * something that refuses what a real platform would refuse:
 * - the signature (`X-LiftWatch-Signature`, HMAC-SHA256 of "{timestamp}.{body}") with the
 *   shared secret, and a timestamp within `maxSkewMs` (replays of old requests are refused);
 * - the body against the data set's JSON Schema (protocol/regulator.ts, compiled), and the
 *   `X-LiftWatch-Dataset` / `X-LiftWatch-Document-Id` headers against the body;
 * - a document id already accepted is answered 200 and not counted again (a resend).
 * Answers: 202 accepted, 200 duplicate, 401 signature, 400 schema (the errors listed), and
 * 503 while `failNext` asks it to fail. Not used in production.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PUSH_HEADERS, RegulatorDocument } from '../protocol/regulator.ts';

const checkDocument = TypeCompiler.Compile(RegulatorDocument);

export interface ReceivedDocument {
  document: RegulatorDocument;
  receivedAt: number;
}

export interface Refusal {
  status: number;
  reason: string;
}

export class RegulatorPlatformStandIn extends EventEmitter {
  readonly accepted: ReceivedDocument[] = [];
  readonly refused: Refusal[] = [];
  /** Requests answered 503 on purpose, and duplicates answered 200. */
  failed = 0;
  duplicates = 0;
  /** The next this-many requests are answered 503 (a platform having a bad day). */
  failNext = 0;
  readonly #ids = new Set<string>();
  #server: Server | null = null;

  constructor(readonly options: { secret: string; maxSkewMs?: number; clock?: () => number }) {
    super();
  }

  /** Listens on 127.0.0.1 (`port` 0: a free one); returns the URL to push to. */
  async listen(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { status, body } = this.#receive(req.headers, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/gbt24476/push`;
  }

  /** Stops answering (an outage); `listen(samePort)` comes back. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #receive(
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): { status: number; body: Record<string, unknown> } {
    const refuse = (status: number, reason: string, errors?: string[]) => {
      this.refused.push({ status, reason });
      this.emit('refused', { status, reason });
      return { status, body: { ok: false, reason, ...(errors ? { errors } : {}) } };
    };
    if (this.failNext > 0) {
      this.failNext--;
      this.failed++;
      this.emit('failed');
      return { status: 503, body: { ok: false, reason: 'platform unavailable' } };
    }
    const timestamp = String(headers[PUSH_HEADERS.timestamp] ?? '');
    const signature = String(headers[PUSH_HEADERS.signature] ?? '');
    const expected = `sha256=${createHmac('sha256', this.options.secret).update(`${timestamp}.${raw}`).digest('hex')}`;
    const same =
      signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!same) return refuse(401, 'bad signature');
    const now = (this.options.clock ?? Date.now)();
    if (!(Math.abs(now - Number(timestamp)) <= (this.options.maxSkewMs ?? 300_000)))
      return refuse(401, 'stale timestamp');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return refuse(400, 'not JSON');
    }
    if (!checkDocument.Check(value)) {
      const errors = [...checkDocument.Errors(value)].slice(0, 10).map((e) => `${e.path}: ${e.message}`);
      return refuse(400, 'schema', errors);
    }
    const document = value as RegulatorDocument;
    if (headers[PUSH_HEADERS.dataset] !== document.dataset)
      return refuse(400, 'dataset header differs from body');
    if (headers[PUSH_HEADERS.documentId] !== document.document_id)
      return refuse(400, 'document id header differs from body');
    if (this.#ids.has(document.document_id)) {
      this.duplicates++;
      return { status: 200, body: { ok: true, duplicate: true } };
    }
    this.#ids.add(document.document_id);
    const received = { document, receivedAt: now };
    this.accepted.push(received);
    this.emit('document', received);
    return { status: 202, body: { ok: true } };
  }
}

// A tiny authoritative DNS responder on 127.0.0.1 UDP for tests: A, AAAA and SRV records that a test can change.
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsRecords {
  /** Answer SERVFAIL for this name (a DNS server in trouble). */
  SERVFAIL?: boolean;
  A?: string[];
  AAAA?: string[];
  SRV?: Array<{ target: string; port: number; priority?: number; weight?: number }>;
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for Resolver.setServers. */
  readonly address: string;
  /** Name (no trailing dot) → records; edit it to change later answers. Unknown names are NXDOMAIN. */
  readonly zone: Map<string, DnsRecords>;
  /** Questions seen, as `TYPE name`. */
  readonly questions: string[];
  close(): Promise<void>;
}

const SERVFAIL = 2;
const NXDOMAIN = 3;

function answersFor(name: string, type: string, records: DnsRecords): dnsPacket.Answer[] {
  if (type === 'A') return (records.A ?? []).map((data) => ({ type: 'A', name, ttl: 5, data }));
  if (type === 'AAAA') return (records.AAAA ?? []).map((data) => ({ type: 'AAAA', name, ttl: 5, data }));
  if (type === 'SRV') {
    return (records.SRV ?? []).map((srv) => ({
      type: 'SRV',
      name,
      ttl: 5,
      data: { target: srv.target, port: srv.port, priority: srv.priority ?? 0, weight: srv.weight ?? 0 },
    }));
  }
  return [];
}

export async function startTestDnsServer(zone: Record<string, DnsRecords> = {}): Promise<TestDnsServer> {
  const records = new Map(Object.entries(zone));
  const questions: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    questions.push(`${question.type} ${question.name}`);
    const found = records.get(question.name.toLowerCase());
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (found === undefined ? NXDOMAIN : found.SERVFAIL === true ? SERVFAIL : 0),
      questions: [question],
      answers: found === undefined || found.SERVFAIL === true ? [] : answersFor(question.name, question.type, found),
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    zone: records,
    questions,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

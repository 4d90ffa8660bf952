/**
 * Delegations to a Responses backend whose answer is still to come. Live speaks an
 * acknowledgement at once ("one moment") and the answer only after the backend is done,
 * which may take longer than the silence that ends a reply; while one is open, the reply
 * that acknowledged it does not end (so nobody takes "one moment" for the answer). One is
 * open from `session.delegation.created` until its backend finishes without asking kaiwa
 * for anything, or until kaiwa has sent the output of every function call it asked for.
 */
export class OpenDelegations {
  /** By delegation id: undefined while the backend works, then the call ids still unanswered. */
  private readonly open = new Map<string, Set<string> | undefined>();

  get any(): boolean {
    return this.open.size > 0;
  }

  created(delegationId: string): void {
    this.open.set(delegationId, undefined);
  }

  /** The backend's response finished, asking kaiwa for these calls (none: it needs nothing of kaiwa). */
  backendFinished(delegationId: string | null | undefined, callIds: readonly string[]): void {
    const id = delegationId ?? this.oldestWorking();
    if (id === undefined || !this.open.has(id)) return;
    if (callIds.length === 0) this.open.delete(id);
    else this.open.set(id, new Set(callIds));
  }

  outputSent(callId: string): void {
    for (const [id, calls] of this.open) {
      if (!calls?.delete(callId)) continue;
      if (calls.size === 0) this.open.delete(id);
    }
  }

  private oldestWorking(): string | undefined {
    for (const [id, calls] of this.open) if (calls === undefined) return id;
    return undefined;
  }
}

/** One pending wall-clock deadline that any new activity pushes away. */
export class IdleTimeout {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly fire: () => void) {}

  arm(delayMs: number): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, delayMs);
    // A waiting idle timer must not keep a shutting-down process alive.
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export async function benchScale(..._a: unknown[]): Promise<void> {}

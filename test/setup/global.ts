// vitest globalSetup: runs once before the suite.
export default async function setup(): Promise<void> {}

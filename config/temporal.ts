import { Client, Connection } from '@temporalio/client';

/** A Temporal client on `address`; close it with `client.connection.close()`. */
export async function connectTemporal(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: 10_000 });
  return new Client({ connection, namespace });
}

// Accounts in this isolate's memory: where budgets live when no KEYS Durable Object is bound (the Router as a
// library, as routing state does). The same AccountState as a KeyStore object, without the storage.
import { AccountState } from './account';
import type { KeyStoreApi } from './store-object';
import type { Account, AccountRecord, AccountSync } from './types';

export type AccountStubs = (account: Account) => Pick<KeyStoreApi, 'lookup' | 'admit' | 'settle' | 'ensure'>;

export function memoryAccounts(): AccountStubs {
  const states = new Map<string, AccountState>();
  return (account) => {
    const name = `${account.kind}:${account.id}`;
    let a = states.get(name);
    if (!a) states.set(name, (a = new AccountState()));
    const state = a;
    const sync = async (msg: AccountSync) => state.sync(msg, msg.now);
    return {
      lookup: async (now: number) => state.read(now),
      admit: sync,
      settle: sync,
      ensure: async (record: AccountRecord, now: number, own: boolean) => state.ensure(record, now, own),
    };
  };
}

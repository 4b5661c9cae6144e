import { createBookingLedger, seedBookingLedger, type Database } from '../../src/db';
import type { Shipment } from '../../src/domain';
import { openTestDatabase, testDatabases } from '../support/databases';

/** A booking as a courier's adapter answers it. */
const shipmentOf = (orderId: string, overrides: Partial<Shipment> = {}): Shipment => ({
  id: `courier-x:${orderId}.tag`,
  orderId,
  carrier: 'courier-x',
  trackingNumber: `PIN-${orderId}`,
  status: 'LABEL_CREATED',
  createdAt: new Date('2026-12-07T00:00:00.000Z'),
  label: { id: `label-${orderId}`, url: '/labels/1' },
  ...overrides,
});

describe.each(testDatabases())('booking ledger on $label', (database) => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase(database);
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('holds a booking from before it is sent (answer unknown) to its answer, and its later changes, one row per booking', async () => {
    const ledger = createBookingLedger(db, { now: () => new Date('2026-12-07T10:00:00.000Z') });
    const booked = shipmentOf('ord-1');
    await ledger.requested({ carrier: 'courier-x', orderId: 'ord-1', shipmentId: booked.id });
    expect((await ledger.bookingsOf('courier-x', ['ord-1'])).get('ord-1')).toEqual([
      { carrier: 'courier-x', orderId: 'ord-1', shipmentId: booked.id, shipment: null, requestedAt: new Date('2026-12-07T10:00:00.000Z'), readAt: null },
    ]);

    await ledger.record(booked, new Date('2026-12-07T10:00:01.000Z'));
    await ledger.record({ ...booked, status: 'IN_TRANSIT', tracking: { status: 'IN_TRANSIT', events: [] } }, new Date('2026-12-08T09:00:00.000Z'));

    const [held] = (await ledger.bookingsOf('courier-x', ['ord-1', 'ord-none'])).get('ord-1') ?? [];
    expect(held).toEqual({
      carrier: 'courier-x',
      orderId: 'ord-1',
      shipmentId: booked.id,
      shipment: { ...booked, status: 'IN_TRANSIT', tracking: { status: 'IN_TRANSIT', events: [] } },
      requestedAt: new Date('2026-12-07T10:00:00.000Z'),
      readAt: new Date('2026-12-08T09:00:00.000Z'),
    });
    // Another carrier's bookings are its own.
    expect((await ledger.bookingsOf('courier-y', ['ord-1'])).size).toBe(0);
  });

  it('forgets only a booking whose answer is still unknown', async () => {
    const ledger = createBookingLedger(db);
    await ledger.requested({ carrier: 'courier-x', orderId: 'ord-2', shipmentId: 'courier-x:ord-2.tag' });
    await ledger.record(shipmentOf('ord-3'));
    await ledger.forget('courier-x:ord-2.tag');
    await ledger.forget(shipmentOf('ord-3').id);
    const held = await ledger.bookingsOf('courier-x', ['ord-2', 'ord-3']);
    expect([...held.keys()]).toEqual(['ord-3']);
  });

  it('is seeded once, while empty', async () => {
    const seeded = await openTestDatabase(database);
    try {
      await seeded.migrate();
      const estate = [shipmentOf('ord-10', { status: 'DELIVERED' }), shipmentOf('ord-11')];
      expect(await seedBookingLedger(seeded, estate)).toBe(2);
      expect(await seedBookingLedger(seeded, estate)).toBe(0);
      const held = await createBookingLedger(seeded).bookingsOf('courier-x', ['ord-10', 'ord-11']);
      expect(held.get('ord-10')?.[0]?.shipment).toEqual(estate[0]);
    } finally {
      await seeded.close();
    }
  });
});

// SPDX-License-Identifier: GPL-2.0
/*
 * Shaping a sensor's feed to what the sensor can take: 1-in-N sampling of
 * frames or of whole flows, and rate limits in frames and bytes per
 * second. (Snap length and port labels shape the copy itself: mirror.c.)
 *
 * The rate limits are token buckets written as virtual schedules (the
 * generic cell rate algorithm): each bucket is one atomic 64-bit time, the
 * moment its schedule has been booked up to. A frame that fits books its
 * cost with one compare-and-exchange; no lock, no per-CPU split that would
 * let N CPUs each send the whole rate.
 */

#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "dupto.h"
#include "sensor.h"
#include "shape.h"

/* A bucket holds this many bytes for each frame of its burst. */
#define DUPTO_SHAPE_BURST_BYTES	1514

static bool dupto_shape_fits(atomic64_t *tat, u64 now, u64 cost, u64 tau)
{
	s64 old = atomic64_read(tat);
	u64 t;

	do {
		t = max_t(u64, old, now);
		if (t - now > tau)
			return false;
	} while (!atomic64_try_cmpxchg(tat, &old, t + cost));
	return true;
}

enum dupto_shape_verdict dupto_shape_admit(struct dupto_sensor *sensor,
					   const struct dupto_shape *shape,
					   unsigned int len,
					   u64 (*flow_hash)(void *ctx),
					   void *ctx)
{
	u64 now;

	/* exactly every Nth: a counter, so the ratio is exact, not expected */
	if (shape->sample &&
	    (u32)atomic_inc_return(&sensor->sample_count) % shape->sample)
		return DUPTO_SHAPE_SAMPLED;
	if (shape->sample_flow && flow_hash(ctx) % shape->sample_flow)
		return DUPTO_SHAPE_SAMPLED;
	if (!shape->pps && !shape->bps)
		return DUPTO_SHAPE_PASS;

	now = ktime_get_ns();
	if (shape->pps &&
	    !dupto_shape_fits(&sensor->tat_pkt, now, shape->pkt_ns, shape->pkt_tau))
		return DUPTO_SHAPE_RATELIMIT;
	/*
	 * Over the byte rate after the frame rate booked it: the frame's slot
	 * in the frame schedule is lost, which errs on the side of sending
	 * less, never more.
	 */
	if (shape->bps &&
	    !dupto_shape_fits(&sensor->tat_byte, now,
			      mul_u64_u32_shr(shape->byte_ns_q16, len, 16),
			      shape->byte_tau))
		return DUPTO_SHAPE_RATELIMIT;
	return DUPTO_SHAPE_PASS;
}

int dupto_shape_set(struct net_device *dev, const struct dupto_shape *cfg)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	struct dupto_shape *shape = NULL, *old;
	u32 burst;

	ASSERT_RTNL();
	if (cfg) {
		shape = kmemdup(cfg, sizeof(*cfg), GFP_KERNEL_ACCOUNT);
		if (!shape)
			return -ENOMEM;
		burst = max_t(u32, shape->burst, 1);
		if (shape->pps) {
			shape->pkt_ns = div_u64(NSEC_PER_SEC, shape->pps) ?: 1;
			shape->pkt_tau = (u64)(burst - 1) * shape->pkt_ns;
		}
		if (shape->bps) {
			shape->byte_ns_q16 = div64_u64(NSEC_PER_SEC << 16, shape->bps) ?: 1;
			/* from the rate, not byte_ns_q16: at 1 byte/s that product overflows */
			shape->byte_tau = div64_u64((u64)(burst - 1) * DUPTO_SHAPE_BURST_BYTES *
						    NSEC_PER_SEC, shape->bps);
		}
	}
	/*
	 * The state starts afresh: a frame may meet the new shape with the
	 * old state, which costs at most one burst's worth of accuracy.
	 */
	atomic64_set(&sensor->tat_pkt, 0);
	atomic64_set(&sensor->tat_byte, 0);
	atomic_set(&sensor->sample_count, 0);
	old = rtnl_dereference(sensor->shape);
	rcu_assign_pointer(sensor->shape, shape);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

void dupto_shape_free(struct dupto_sensor *sensor)
{
	struct dupto_shape *old = rcu_dereference_protected(sensor->shape, 1);

	RCU_INIT_POINTER(sensor->shape, NULL);
	if (old)
		kfree_rcu(old, rcu);
}

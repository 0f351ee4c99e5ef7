/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_SHAPE_H
#define _DUPTO_SHAPE_H

#include <linux/netdevice.h>
#include <linux/rcupdate.h>

#include "dupto.h"

/* What a sensor takes of its feed (uapi/linux/dupto.h, SENSOR_SET). */
struct dupto_shape {
	u32 snaplen;		/* 0: whole frames */
	u32 sample;		/* 1 frame in N; 0: all */
	u32 sample_flow;	/* 1 flow in N; 0: all */
	u32 pps;		/* 0: no limit */
	u64 bps;		/* bytes per second; 0: no limit */
	u32 burst;
	bool tag;
	/* derived: the buckets as virtual schedules (GCRA) */
	u64 pkt_ns;		/* ns one frame costs */
	u64 byte_ns_q16;	/* ns one byte costs, << 16 */
	u64 pkt_tau;		/* how far ahead of now each schedule may run */
	u64 byte_tau;
	struct rcu_head rcu;
};

/* What becomes of a copy before it is made. */
enum dupto_shape_verdict {
	DUPTO_SHAPE_PASS,
	DUPTO_SHAPE_SAMPLED,
	DUPTO_SHAPE_RATELIMIT,
};

/*
 * Sampling, then the rate limits, for a frame of @len bytes whose flow hash
 * (for flow sampling) @flow_hash gives on demand. RCU held, BHs off.
 */
enum dupto_shape_verdict dupto_shape_admit(struct dupto_sensor *sensor,
					   const struct dupto_shape *shape,
					   unsigned int len,
					   u64 (*flow_hash)(void *ctx),
					   void *ctx);

/* Replace a sensor's shaping (NULL: none) and start its state afresh. RTNL. */
int dupto_shape_set(struct net_device *dev, const struct dupto_shape *cfg);
void dupto_shape_free(struct dupto_sensor *sensor);

#endif /* _DUPTO_SHAPE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Ports attached in place: a netfilter netdev ingress hook on the device,
 * whatever it is (a bridge port, a bond, a plain NIC), runs the classifier
 * at the point of the receive path where the device's rx_handler (the
 * bridge's, for a bridge port) is about to run, and lets every frame go on.
 * Nothing else about the device changes, which is why "dupto port add"
 * attaches this way unless asked for a port device.
 *
 * An egress hook is added the first time a ruleset has a rule for frames
 * leaving the port, and stays until the port goes; pi->out says whether it
 * classifies. Registering the first egress hook on the box, or removing the
 * last, flips static keys: kernel text is patched on every CPU, with
 * breakpoints and IPIs, while frames are in flight. A ruleset swap, which
 * an agent may do many times a second, must not cost that. Both hooks come
 * last among their chains' hooks, so they see what the device's own
 * rx_handler, or its driver, is about to get.
 */

#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <uapi/linux/netfilter.h>

#include <uapi/linux/dupto.h>

#include "classify.h"
#include "dupto.h"
#include "hook.h"
#include "pernet.h"
#include "sensor.h"
#include "stacked.h"

struct dupto_hook {
	struct dupto_portinfo pi;
	struct nf_hook_ops in;
	struct nf_hook_ops out;
	bool out_registered;
	struct rcu_head rcu;
};

static unsigned int dupto_hook_ingress(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	/* Looped back by the device's own stack: not from the wire. */
	if (likely(skb->pkt_type != PACKET_LOOPBACK))
		dupto_classify(priv, skb, DUPTO_VM_DIR_IN);
	return NF_ACCEPT;
}

static unsigned int dupto_hook_egress(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct dupto_portinfo *pi = priv;

	if (READ_ONCE(pi->out))
		dupto_classify(pi, skb, DUPTO_VM_DIR_OUT);
	return NF_ACCEPT;
}

static void dupto_hook_ops_init(struct nf_hook_ops *ops, struct dupto_hook *h,
				nf_hookfn *fn, unsigned int hooknum)
{
	ops->hook = fn;
	ops->dev = h->pi.dev;
	ops->priv = &h->pi;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = hooknum;
	ops->priority = INT_MAX;
}

/* What may be classified in place: an Ethernet device nobody else owns. */
static int dupto_hook_check(struct net_device *dev,
			    struct netlink_ext_ack *extack)
{
	if (dev->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG(extack, "a loopback device cannot be a port");
		return -EINVAL;
	}
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG(extack, "only an Ethernet device can be a port");
		return -EINVAL;
	}
	if (netif_is_dupto_sensor(dev)) {
		NL_SET_ERR_MSG(extack, "a dupto sensor cannot be a port");
		return -EINVAL;
	}
	if (netif_is_bridge_master(dev)) {
		NL_SET_ERR_MSG(extack, "a bridge cannot be a port: attach its ports");
		return -EINVAL;
	}
	if (dupto_stacked_owned(dev)) {
		NL_SET_ERR_MSG(extack,
			       "the device belongs to a dupto port or sensor");
		return -EBUSY;
	}
	return dupto_stacked_check_loop(dev, false, extack);
}

/* Once no CPU can be in either hook with @h as their priv. */
static void dupto_hook_free_rcu(struct rcu_head *rcu)
{
	struct dupto_hook *h = container_of(rcu, struct dupto_hook, rcu);

	dupto_portinfo_destroy(&h->pi);
	kfree(h);
}

static int dupto_hook_attach(struct dupto_net *dn, struct net_device *dev,
			     const char *devname, struct dupto_portinfo **pip,
			     struct netlink_ext_ack *extack)
{
	struct dupto_hook *h;
	int err;

	ASSERT_RTNL();
	err = dupto_hook_check(dev, extack);
	if (err)
		return err;
	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	err = dupto_portinfo_init(&h->pi, dev, &dupto_hook_port_ops);
	if (err)
		goto err_free;
	dupto_hook_ops_init(&h->in, h, dupto_hook_ingress, NF_NETDEV_INGRESS);
	dupto_hook_ops_init(&h->out, h, dupto_hook_egress, NF_NETDEV_EGRESS);
	err = nf_register_net_hook(dev_net(dev), &h->in);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register a netfilter ingress hook on the device");
		goto err_destroy;
	}
	err = dupto_port_link(&h->pi);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register a netfilter egress hook on the device");
		goto err_unregister;
	}
	*pip = &h->pi;
	return 0;

err_unregister:
	nf_unregister_net_hook(dev_net(dev), &h->in);
	call_rcu(&h->rcu, dupto_hook_free_rcu);
	return err;
err_destroy:
	dupto_portinfo_destroy(&h->pi);
err_free:
	kfree(h);
	return err;
}

/* Only the first call with @on can fail; turning it off never does. */
static int dupto_hook_set_out(struct dupto_portinfo *pi, bool on)
{
	struct dupto_hook *h = container_of(pi, struct dupto_hook, pi);
	int err;

	ASSERT_RTNL();
	if (on && !h->out_registered) {
		err = nf_register_net_hook(dev_net(pi->dev), &h->out);
		if (err)
			return err;
		h->out_registered = true;
	}
	WRITE_ONCE(pi->out, on);
	return 0;
}

/*
 * The hooks go at once; the port's memory once no CPU can be in them. No
 * grace period is waited for here: a namespace going away releases all its
 * ports in a row, under RTNL.
 */
static void dupto_hook_release(struct dupto_portinfo *pi)
{
	struct dupto_hook *h = container_of(pi, struct dupto_hook, pi);
	struct net *net = dev_net(pi->dev);

	ASSERT_RTNL();
	dupto_port_unlink(pi);
	if (h->out_registered)
		nf_unregister_net_hook(net, &h->out);
	nf_unregister_net_hook(net, &h->in);
	call_rcu(&h->rcu, dupto_hook_free_rcu);
}

static int dupto_hook_detach(struct dupto_portinfo *pi,
			     struct netlink_ext_ack *extack)
{
	dupto_hook_release(pi);
	return 0;
}

const struct dupto_port_ops dupto_hook_port_ops = {
	.mode		= DUPTO_PORT_MODE_INPLACE,
	.attach		= dupto_hook_attach,
	.detach		= dupto_hook_detach,
	.release	= dupto_hook_release,
	.set_out	= dupto_hook_set_out,
};

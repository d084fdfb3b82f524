"""VECOZO's VSP-Koppeling as a partner of Ketenpoort: the outbound ``vsp`` channel and the puller's library side.

The server side (Ketenpoort serving the Push, Pull and Berichtstatus APIs) is :mod:`gateway.api.vsp`;
its bookkeeping is :mod:`gateway.store.vsp`.
"""

"""The ``ggk`` channel: an iJw heenbericht leaves as a ggk_Di01, a retour Ketenpoort built as a ggk_Du01.

Route options (all optional)::

    [routes."70329669".options]
    zender_applicatie = "Ketenpoort"     # stuurgegevens.zender.applicatie (default "Ketenpoort")
    zender_organisatie = "0034"          # default: the iJw message's Afzender (retour: the other party)
    ontvanger_organisatie = "70329669"   # default: the iJw message's Ontvanger (retour: the original sender)
    applicatie_versie = "0001"           # parameters.applicatieVersie / -Subversie of Ketenpoort
    applicatie_subversie = "0000"

The envelope's referentienummer is a UUID v4 derived from the message id (:mod:`gateway.ggk.refs`),
the same on every retry; a Du01's crossRefnummer is the referentienummer of the ggk_Di01 the
heenbericht came in with (``Outbound.meta["referentienummer"]``). The answer is judged by
:func:`~gateway.relay.channel.judge_stuf`: Bv03 delivered, a client Fo03 permanent, the rest retried.
"""

from __future__ import annotations

from gateway.ggk.envelope import ACTION_DI01, ACTION_DU01, GGK_APPLICATIE, Party, Versions, build_envelope
from gateway.ggk.ijw import NotIjwError, read_ijw_header
from gateway.ggk.refs import referentie_of, retour_referentie
from gateway.relay.channel import ChannelError, Judgement, Outbound, Wrapped, judge_stuf
from gateway.relay.routes import Route
from gateway.relay.transport import Answer
from gateway.soap import SOAP_CONTENT_TYPE, envelope

APPLICATIE = "Ketenpoort"
APPLICATIE_VERSIE = ("0001", "0000")


class GgkChannel:
    """Wraps iJw messages in GGk 0310 envelopes inside SOAP 1.1; judges the StUF answer."""

    name = "ggk"

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """A ggk_Di01 for a heenbericht, a ggk_Du01 for a retour (``message.kind == "retour"``)."""
        try:
            header = read_ijw_header(message.payload)
        except NotIjwError as exc:
            raise ChannelError(f"ggk channel: {exc}") from None
        retour = message.kind == "retour"
        cross_ref = message.meta.get("referentienummer") if retour else None
        if retour and not cross_ref:
            raise ChannelError("ggk channel: a retour without the referentienummer of its heenbericht")
        afzender, ontvanger_org = header.afzender, header.ontvanger
        if retour:  # back to whom it is routed; a JW302 repeats its JW301's header, a JW325 swaps it
            ontvanger_org = message.receiver
            afzender = header.ontvanger if header.afzender == message.receiver else header.afzender
        applicatie = route.option("zender_applicatie", APPLICATIE) or APPLICATIE
        zender = Party(route.option("zender_organisatie", afzender) or "", applicatie)
        ontvanger = Party(route.option("ontvanger_organisatie", ontvanger_org) or "", GGK_APPLICATIE)
        if not zender.organisatie or not ontvanger.organisatie:
            raise ChannelError("ggk channel: the iJw Header names no Afzender or Ontvanger")
        heen = message.refers_to or message.message_id
        reference = retour_referentie(heen) if retour else referentie_of(message.message_id)
        versions = Versions(
            route.option("applicatie_versie", APPLICATIE_VERSIE[0]) or APPLICATIE_VERSIE[0],
            route.option("applicatie_subversie", APPLICATIE_VERSIE[1]) or APPLICATIE_VERSIE[1],
            header.versie,
            header.subversie,
        )
        try:
            body = build_envelope(
                "Du01" if retour else "Di01",
                zender=zender,
                ontvanger=ontvanger,
                referentienummer=reference,
                functie=header.functie,
                versions=versions,
                payload=message.payload,
                cross_ref=cross_ref,
                bestandsnaam=f"{header.functie}_{reference}.xml",
            )
        except ValueError as exc:
            raise ChannelError(f"ggk channel: {exc}") from None
        action = ACTION_DU01 if retour else ACTION_DI01
        return Wrapped(envelope(body), SOAP_CONTENT_TYPE, (("SOAPAction", f'"{action}"'),))

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """Bv03 delivered; Fo03/Fo01 with plek client or a Client fault permanent; the rest retried."""
        return judge_stuf(answer)


__all__ = ["APPLICATIE", "GgkChannel"]

#!/bin/bash
# Makes the sample XML documents of samples/xml (see README.md).  They are
# committed; run this again only to change them.  Needs iconv.
set -euo pipefail
cd "$(dirname "$0")"

ubl_body() {
    # $1: encoding name for the declaration, $2: a note with non-ASCII text
    cat <<EOF
<?xml version="1.0" encoding="$1"?>
<!-- eseal sample: a small UBL 2.1 invoice (made up; not a real company) -->
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>INV-2026-0001</cbc:ID>
  <cbc:IssueDate>2026-11-24</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:Note>$2</cbc:Note>
  <cbc:DocumentCurrencyCode>JPY</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>Example Demo Corporation</cbc:Name></cac:PartyName>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>Sample Buyer Ltd.</cbc:Name></cac:PartyName>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="JPY">1000</cbc:TaxAmount>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="JPY">10000</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="JPY">10000</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="JPY">11000</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="JPY">11000</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="JPY">10000</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Consulting &amp; support</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="JPY">5000</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
EOF
}

ubl_body UTF-8 "Thank you for your business." > invoice-ubl.xml
ubl_body UTF-8 "請求書 – 合計 11,000 円" > invoice-utf8.xml
# Shift_JIS: ソ, 表 and ゾ end in the bytes '\\' and ']', which a byte scanner
# must not take for markup (here "ゾ]>" inside CDATA looks like "]]>").
ubl_body Shift_JIS "請求書　合計 11,000 円（税込）ソ表" |
    sed 's|^  <cbc:DocumentCurrencyCode>|  <cbc:Note><![CDATA[ゾ]> ソ表]]></cbc:Note>\n&|' |
    iconv -f UTF-8 -t SHIFT_JIS > invoice-sjis.xml
ubl_body ISO-8859-1 "Facture réglée à réception – Straße" | sed 's/–/-/' |
    iconv -f UTF-8 -t ISO-8859-1 > invoice-latin1.xml
{ printf '\xef\xbb\xbf'; ubl_body UTF-8 "With a byte order mark."; } > invoice-bom.xml
ubl_body UTF-8 "Windows line ends." | sed 's/$/\r/' > invoice-crlf.xml

# UBL with an extension already there: the seal adds a UBLExtension.
ubl_body UTF-8 "Has another extension." | sed '/<cbc:UBLVersionID>/i\
  <ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">\
    <ext:UBLExtension>\
      <ext:ExtensionURI>urn:example:other</ext:ExtensionURI>\
      <ext:ExtensionContent><other xmlns="urn:example:other">kept</other></ext:ExtensionContent>\
    </ext:UBLExtension>\
  </ext:UBLExtensions>' > invoice-ubl-ext.xml

cat > invoice-cii.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>CII-2026-0001</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20261124</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:GrandTotalAmount>119.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>119.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
EOF

# A generic document (FatturaPA-like shape): prefixed root, a lowercase id.
cat > generic.xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="view.xsl"?>
<p:Document xmlns:p="urn:example:document:1.0" id="doc-1" versione="1.2">
  <!-- header -->
  <Header><Number>42</Number><Date>2026-11-24</Date></Header>
  <Body>
    <Line n="1" amount="100.00">Goods</Line>
    <Line n="2" amount="20.50"><![CDATA[Fees <&> charges]]></Line>
  </Body>
</p:Document>
<!-- trailing comment -->
EOF

# Documents that must be refused.
mkdir -p bad
printf '<?xml version="1.0"?>\n<Invoice><ID>1</ID>\n' > bad/not-well-formed.xml
cat > bad/external-entity.xml <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE Invoice [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<Invoice><Note>&secret;</Note></Invoice>
EOF
{
    echo '<?xml version="1.0"?>'
    echo '<!DOCTYPE lolz ['
    echo ' <!ENTITY lol "lol">'
    for i in 1 2 3 4 5 6 7 8 9; do
        prev=$([ "$i" = 1 ] && echo lol || echo "lol$((i - 1))")
        printf ' <!ENTITY lol%d "' "$i"
        for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done
        echo '">'
    done
    echo ']>'
    echo '<lolz>&lol9;</lolz>'
} > bad/entity-bomb.xml
{
    echo '<?xml version="1.0"?>'
    for _ in $(seq 300); do printf '<d>'; done
    for _ in $(seq 300); do printf '</d>'; done
    echo
} > bad/deep.xml
printf 'Invoice 1, total 100\n' > bad/not-xml.xml
echo "made $(ls *.xml bad/*.xml | wc -l) files"
